"""Constants of the Yeastar S-Series integration."""

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "yeastar"
LOGGER = logging.getLogger(__package__)

# entry.data keys (design.md section 3); host, port, ssl, username, password and
# webhook_id use Home Assistant's CONF_* constants.
CONF_TLS_FINGERPRINT: Final = "tls_fingerprint"

# entry.options keys
CONF_POLL_INTERVAL: Final = "poll_interval"
CONF_CALLBACK_HOST: Final = "callback_host"
CONF_CALLBACK_PORT: Final = "callback_port"
# Addresses besides the PBX's own that its reports may come from (accepted by the user
# through a repair: a PBX with two interfaces, or a proxy in front of Home Assistant).
CONF_REPORT_ADDRESSES: Final = "report_addresses"
# Names of numbers the user keeps ({number: name}), and the office's country calling
# code (digits; absent: from Home Assistant's country) for matching number forms.
CONF_PHONE_BOOK: Final = "phone_book"
CONF_COUNTRY_CODE: Final = "country_code"

DEFAULT_PORT: Final = 8088
DEFAULT_SSL: Final = True
# Seconds. The reconciliation poll is only a safety net (and the only source of trunk
# states): with the heartbeat, 60 requests an hour at this default (README).
DEFAULT_POLL_INTERVAL: Final = 300
MIN_POLL_INTERVAL: Final = 10
MAX_POLL_INTERVAL: Final = 3600

# The PBX forgets a token after 30 idle minutes; a heartbeat every 5 minutes keeps it
# alive with a wide margin and re-sends where reports must go.
HEARTBEAT_INTERVAL: Final = timedelta(minutes=5)

# Trunk states (sensor options): the PBX's status words in lower snake case, by trunk type:
# SIP/IAX register trunks, FXO, BRI/E1, GSM/LTE (API reference section 5.4).
TRUNK_STATES: Final = (
    "registered",
    "registering",
    "failure",
    "disable",
    "unknown",
    "idle",
    "busy",
    "fault",
    "alarm",
    "up",
    "down",
    "power_off",
    "no_sim",
    "no_signal",
    "pin_error",
    "unregister",
)
