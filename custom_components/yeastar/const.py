"""Constants of the Yeastar S-Series integration."""

import logging
from typing import Final

DOMAIN: Final = "yeastar"
LOGGER = logging.getLogger(__package__)
