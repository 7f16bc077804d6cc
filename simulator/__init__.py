"""A faithful simulator of a Yeastar S-Series PBX (API 2.0.0) for tests and demos.

It stands in for real hardware: it follows the wire reference (shared/yeastar-s-api.md) on
its own and imports nothing from the integration.
"""

from .calls import Call, Member
from .office import Office, SimContact, SimExtension, SimTrunk
from .reports import ReportRecord
from .server import PbxSimulator
from .timing import SimulatorTiming
from .traffic import TrafficProfile
from .wire import ApiError

__all__ = [
    "ApiError",
    "Call",
    "Member",
    "Office",
    "PbxSimulator",
    "ReportRecord",
    "SimContact",
    "SimExtension",
    "SimTrunk",
    "SimulatorTiming",
    "TrafficProfile",
]
