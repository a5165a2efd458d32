"""What the lifespan opens and every request uses: one instance per app, never a module global."""

from __future__ import annotations

from dataclasses import dataclass

from bff.accounts import PasswordChecker, UserDirectory
from bff.case_pages import KeptCasePages
from bff.clients.health import Readiness
from bff.clients.refund import RefundClient
from bff.clients.support import SupportClient
from bff.config import Settings
from bff.customer_lists import KeptCustomerLists
from bff.live import Timing
from bff.orders import OrderLookup
from bff.ratelimit import Limit, RateLimiter
from bff.refunds import RefundViews
from bff.sessions import SessionManager
from bff.shared_pages import SharedPages
from bff.store import KeyValueStore


@dataclass(frozen=True, slots=True)
class AppState:
    settings: Settings
    directory: UserDirectory
    passwords: PasswordChecker
    store: KeyValueStore
    sessions: SessionManager
    limiter: RateLimiter
    support: SupportClient
    refunds: RefundClient
    orders: OrderLookup
    refund_views: RefundViews
    readiness: Readiness
    shared_pages: SharedPages
    case_pages: KeptCasePages
    customer_lists: KeptCustomerLists

    @property
    def sign_in_per_account(self) -> Limit:
        s = self.settings
        return Limit("signin-account", s.sign_in_limit_per_account, s.sign_in_window_s)

    @property
    def sign_in_per_address(self) -> Limit:
        s = self.settings
        return Limit("signin-address", s.sign_in_limit_per_address, s.sign_in_window_s)

    @property
    def refund_creates(self) -> Limit:
        s = self.settings
        return Limit("refund-create", s.refund_create_limit, s.refund_create_window_s)

    @property
    def live_timing(self) -> Timing:
        s = self.settings
        return Timing(keepalive_s=s.events_keepalive_s, reopen_s=s.events_reopen_s, max_s=s.events_max_s)
