"""The in-process memory of authenticated credentials forgets a user at once when told to,
and never remembers a lookup that raced that."""

from __future__ import annotations

from datetime import timedelta

from cad110.auth.cache import PrincipalCache
from cad110.auth.principal import Principal
from cad110.auth.revocation import Revocations
from cad110.models.user import Role
from tests.world import START

LATER = START + timedelta(days=1)


def principal(user_id: int) -> Principal:
    return Principal(
        user_id=user_id,
        username=f"user{user_id}",
        role=Role.DISPATCHER,
        jurisdiction_code="350100",
        scope_path="350100/",
    )


def remember(cache: PrincipalCache, credential: str, who: Principal) -> None:
    cache.put(credential, who, now=START, token_expires_at=LATER, ticket=cache.ticket())


def test_evicting_a_user_forgets_all_their_credentials_and_no_one_elses() -> None:
    cache = PrincipalCache(ttl_s=60)
    remember(cache, "b:token-1", principal(1))
    remember(cache, "c:cookie-1", principal(1))
    remember(cache, "b:token-2", principal(2))
    cache.evict_users([1])
    assert cache.get("b:token-1", START) is None
    assert cache.get("c:cookie-1", START) is None
    assert cache.get("b:token-2", START) == principal(2)
    assert len(cache) == 1


def test_a_lookup_that_started_before_an_eviction_is_not_remembered() -> None:
    cache = PrincipalCache(ttl_s=60)
    ticket = cache.ticket()  # the request starts reading the token row…
    cache.evict_users([1])  # …a revocation of user 1 commits meanwhile
    cache.put("b:token-1", principal(1), now=START, token_expires_at=LATER, ticket=ticket)
    cache.put("b:token-2", principal(2), now=START, token_expires_at=LATER, ticket=ticket)
    assert cache.get("b:token-1", START) is None
    assert cache.get("b:token-2", START) == principal(2)
    # A lookup that starts after the eviction read the revoked state: it may be kept.
    remember(cache, "b:token-3", principal(1))
    assert cache.get("b:token-3", START) == principal(1)


def test_clearing_refuses_every_lookup_that_started_before_it() -> None:
    cache = PrincipalCache(ttl_s=60)
    ticket = cache.ticket()
    cache.clear()
    cache.put("b:token-2", principal(2), now=START, token_expires_at=LATER, ticket=ticket)
    assert cache.get("b:token-2", START) is None


def test_a_credential_is_forgotten_when_it_expires() -> None:
    cache = PrincipalCache(ttl_s=60)
    remember(cache, "b:token-1", principal(1))
    assert cache.get("b:token-1", LATER - timedelta(seconds=1)) == principal(1)
    assert cache.get("b:token-1", LATER) is None
    assert len(cache) == 0


def test_revocations_evict_and_tell_their_listeners_everyone_when_unsure() -> None:
    cache = PrincipalCache(ttl_s=60)
    revocations = Revocations(cache)
    heard: list[frozenset[int] | None] = []
    revocations.listen(heard.append)
    remember(cache, "b:token-1", principal(1))
    remember(cache, "b:token-2", principal(2))
    revocations.revoked({1})
    assert (cache.get("b:token-1", START), cache.get("b:token-2", START)) == (None, principal(2))
    revocations.revoked(None)
    assert len(cache) == 0
    revocations.unlisten(heard.append)
    revocations.revoked({2})
    assert heard == [frozenset({1}), None]
