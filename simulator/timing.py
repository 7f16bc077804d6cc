"""Every duration and limit of the simulator, so tests can make them short."""

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class SimulatorTiming:
    """Durations in seconds (and the lock-out failure count) the simulated PBX uses.

    Durations measured against the injected clock: token life, lock-out, Invite window,
    recording and CDR random life, configuration apply interval. Durations slept on the
    event loop: report retry/timeout, reboot, prompt playing, ring timeouts, the voicemail
    message, and the simulated users of calls placed through the API.

    Simulated users (None: nobody does it, the test acts instead): the phone the PBX rings
    first for call/dial (the caller) or call/playprompt is picked up after
    `simulated_answer_delay`; the callee of call/dial (an extension's user or the outside
    party) answers after `simulated_callee_answer_delay`; they hang up after
    `simulated_talk_time`. A caller sent to voicemail hangs up after leaving a message of
    `voicemail_message_time`.

    `ring_timeout`: None lets every extension ring for its own `ringtimeout` setting
    (extension/query, 30 s in the sample office); a number overrides them all.
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
    simulated_answer_delay: float | None = 3.0
    simulated_callee_answer_delay: float | None = 4.0
    simulated_talk_time: float | None = 20.0
    ring_timeout: float | None = None
    voicemail_message_time: float | None = 8.0
