"""The PBX session Home Assistant last opened, kept until the PBX confirms its logout.

A logout that cannot reach the PBX (it was rebooting, the network was down when Home
Assistant stopped) leaves that session alive on the PBX, posting every report to the
same webhook as the next session: each report would arrive twice. Its token is kept on
disk (Home Assistant's private storage) from login until a logout succeeds, and the next
set-up ends that session before it logs in.
"""

from typing import Final, TypedDict

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN

STORAGE_VERSION: Final = 1


class _Session(TypedDict):
    """What is stored: the token of the open session."""

    token: str


class SessionStore:
    """The token of an entry's open PBX session, on disk."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Use the entry's own private storage file."""
        self._store: Store[_Session] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.session", private=True
        )

    async def async_left_open(self) -> str | None:
        """Return the token of a session that was never logged out, if any."""
        stored = await self._store.async_load()
        return stored["token"] if stored else None

    async def async_remember(self, token: str) -> None:
        """Keep the token of the session just opened (written at once: a crash may follow)."""
        await self._store.async_save(_Session(token=token))

    async def async_forget(self) -> None:
        """Forget the session: the PBX confirmed its logout (or the entry is removed)."""
        await self._store.async_remove()
