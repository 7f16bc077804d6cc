"""Every duration and limit of the simulator, so tests can make them short."""

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class SimulatorTiming:
    """Durations in seconds (and the lock-out failure count) the simulated PBX uses.

    Durations measured against the injected clock: token life, lock-out, Invite window,
    recording and CDR random life, configuration apply interval. Durations slept on the
    event loop: report retry/timeout, reboot, prompt playing, simulated answer/talk times.
    """

    token_lifetime: float = 1800.0
    lockout_failures: int = 5
    lockout_duration: float = 600.0
    report_retry_interval: float = 5.0
    report_timeout: float = 5.0
    reboot_duration: float = 5.0
    invite_window: float = 10.0
    recording_random_lifetime: float = 30.0
    cdr_random_lifetime: float = 30.0
    config_apply_interval: float = 0.0
    prompt_duration: float = 2.0
    autoanswer_delay: float = 0.0
    simulated_answer_delay: float | None = None
    simulated_talk_time: float | None = None
