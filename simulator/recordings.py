"""Call recordings and their single-use download randoms (section 5.8)."""

from dataclasses import dataclass
import io
import secrets
import wave

from .auth import Clock
from .wire import ApiError, Errno

SAMPLE_RATE = 8000
MAX_SECONDS = 5


def silent_wav(seconds: int) -> bytes:
    """Return a mono 8 kHz 16-bit WAV of silence (at least 1 s, at most a few seconds)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(b"\x00\x00" * SAMPLE_RATE * min(max(seconds, 1), MAX_SECONDS))
    return buffer.getvalue()


@dataclass(frozen=True)
class _Grant:
    """A random handed out for one recording."""

    recording: str
    expires: float
    allowed_ip: str


class RecordingStore:
    """Recordings made by answered calls (name -> talk seconds) and their download randoms."""

    def __init__(self, files: dict[str, int], clock: Clock, lifetime: float) -> None:
        """Serve the given recordings; randoms live `lifetime` seconds of the clock."""
        self._files = files
        self._clock = clock
        self._lifetime = lifetime
        self._grants: dict[str, _Grant] = {}

    def grant(self, recording: str, allowed_ip: str = "") -> str:
        """Return a new random for a recording, or raise 20014 when it does not exist."""
        if recording not in self._files:
            raise ApiError(Errno.NO_SUCH_RECORDING, f"no recording {recording}")
        random = secrets.token_hex(16)
        self._grants[random] = _Grant(
            recording, self._clock() + self._lifetime, allowed_ip
        )
        return random

    def download(self, recording: str, random: str, source: str) -> bytes:
        """Use a random once and return the WAV file (20012 bad random, 20015 wrong address)."""
        grant = self._grants.get(random)
        if (
            grant is None
            or grant.recording != recording
            or self._clock() > grant.expires
        ):
            raise ApiError(Errno.RANDOM_INVALID, "random invalid")
        if grant.allowed_ip and grant.allowed_ip != source:
            raise ApiError(Errno.ALLOWEDIP_ERROR, f"{source} is not {grant.allowed_ip}")
        del self._grants[random]
        return silent_wav(self._files[recording])

    def clear_grants(self) -> None:
        """Forget every random (reboot)."""
        self._grants.clear()
