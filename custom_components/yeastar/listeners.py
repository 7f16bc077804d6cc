"""Callbacks keyed by what they watch, so that a change reaches only its own entities."""

from collections.abc import Callable

from homeassistant.core import CALLBACK_TYPE


class KeyedListeners[**P]:
    """Callbacks keyed by what they watch (an extension's phone, its calls, a topic).

    Notifying a key calls only that key's listeners: the cost of a report does not grow
    with the number of extensions.
    """

    def __init__(self) -> None:
        """Start with no listeners."""
        self._by_key: dict[str, list[Callable[P, None]]] = {}

    def add(self, key: str, listener: Callable[P, None]) -> CALLBACK_TYPE:
        """Add a listener; return the callable that removes it."""
        listeners = self._by_key.setdefault(key, [])
        listeners.append(listener)

        def remove() -> None:
            listeners.remove(listener)
            if not listeners:
                self._by_key.pop(key, None)

        return remove

    def notify(self, key: str, *args: P.args, **kwargs: P.kwargs) -> None:
        """Call the listeners of one key."""
        for listener in list(self._by_key.get(key, ())):
            listener(*args, **kwargs)
