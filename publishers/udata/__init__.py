"""data.public.lu (udata API v1) publisher: `UdataPublisher`, registered as target "data.public.lu".

Modules: mapping (DCAT-AP graph -> udata dataset), vocab (EU URIs -> udata codes), client (HTTP,
throttle, retries, error decisions), diff (what changed, write bodies), sync (plan/apply), options.
"""

from publishers.udata.errors import UdataAuthError, UdataNotMember, UdataStopped, UdataUnavailable
from publishers.udata.options import UdataOptions, UdataSourceOptions
from publishers.udata.publisher import UdataPublisher

__all__ = [
    "UdataAuthError",
    "UdataNotMember",
    "UdataOptions",
    "UdataPublisher",
    "UdataSourceOptions",
    "UdataStopped",
    "UdataUnavailable",
]
