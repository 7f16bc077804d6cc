"""The seam between Home Assistant and a PBX family: what the integration asks of a PBX.

Entities read only the office (``office.py``); actions and the poll ask a backend. The
S-Series implements it in ``sseries.py``; a P-Series backend (another API: OAuth-style
tokens, WebSocket events) would implement the same methods, fill the same office, and
bring its own event source, without touching the entities.
"""

from collections.abc import Mapping
from typing import Any, Protocol

from .office import Office, OfficeInventory, PbxIdentity


class PbxBackend(Protocol):
    """One PBX, whatever its family."""

    office: Office

    async def async_connect(self) -> PbxIdentity:
        """Connect (log in) and return who the PBX is."""

    def async_start(self) -> None:
        """Start what keeps the connection alive, once the entry is set up."""

    async def async_shutdown(self) -> None:
        """Disconnect (log out), best effort."""

    def async_apply_options(self, options: Mapping[str, Any]) -> None:
        """Apply changed options to the connection."""

    async def async_read_inventory(self) -> OfficeInventory:
        """Read the PBX, its extensions and trunks (and resynchronise calls if needed)."""

    async def async_dial(self, caller: str, callee: str, *, auto_answer: bool) -> str:
        """Ring ``caller``, then connect it to ``callee``; return the call id."""

    async def async_hang_up_extension(self, number: str) -> bool:
        """End an extension's calls; False when it had none."""

    async def async_hang_up_call(self, call_id: str) -> bool:
        """End a call; False when there is no such call."""
