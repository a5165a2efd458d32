"""Sign in, who am I, sign out."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from bff.accounts import Account
from bff.deps import SessionCookie, SignedIn, State
from bff.problems import ProblemError
from bff.routers.common import READ_ERRORS, WRITE_ERRORS, problems
from bff.schemas import SessionResponse, SignInRequest, User
from bff.sessions import COOKIE_NAME

router = APIRouter(prefix="/api/session", tags=["session"])

WRONG_CREDENTIALS = ProblemError(
    status=401, reason="INVALID_CREDENTIALS", detail="That email and password do not match an account."
)


def user_of(account: Account) -> User:
    return User(id=account.id, name=account.name, email=account.email, role=account.role.value)  # type: ignore[arg-type]


def _too_many(retry_after: int) -> ProblemError:
    return ProblemError(
        status=429,
        reason="TOO_MANY_ATTEMPTS",
        detail="Too many sign-in attempts. Please wait a minute and try again.",
        headers={"Retry-After": str(retry_after)},
    )


@router.post(
    "", operation_id="signIn", response_model=SessionResponse, responses=problems(*WRITE_ERRORS, 429)
)
async def sign_in(
    body: SignInRequest, request: Request, response: Response, state: State, cookie: SessionCookie
) -> SessionResponse:
    email = body.email.strip().lower()
    address = request.client.host if request.client else "unknown"
    checks = [(state.sign_in_per_account, email), (state.sign_in_per_address, address)]
    # Counted BEFORE the password is checked (atomically, in the store), so that guesses sent all at
    # once cannot slip past the limit; a success is taken back, so only failures use the limit up.
    attempt = await state.limiter.attempt(checks)
    if attempt.retry_after:
        raise _too_many(attempt.retry_after)
    account = state.directory.by_email(email)
    if not await state.passwords.verify(account, body.password) or account is None:
        raise WRONG_CREDENTIALS
    await attempt.take_back()
    session = await state.sessions.create(account.id, replaces=cookie)
    response.set_cookie(
        COOKIE_NAME,
        session.id,
        max_age=int(state.sessions.absolute_s),
        path="/",
        secure=True,  # the __Host- prefix requires Secure
        httponly=True,
        samesite="lax",
    )
    return SessionResponse(user=user_of(account))


@router.get("", operation_id="getSession", response_model=SessionResponse, responses=problems(*READ_ERRORS))
async def get_session(caller: SignedIn) -> SessionResponse:
    return SessionResponse(user=user_of(caller.user))


@router.delete(
    "",
    operation_id="signOut",
    status_code=204,
    response_class=Response,
    responses=problems(403, 415, 500, 503),
)
async def sign_out(state: State, cookie: SessionCookie) -> Response:
    if cookie:
        await state.sessions.destroy(cookie)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE_NAME, path="/", secure=True, httponly=True, samesite="lax")
    return response
