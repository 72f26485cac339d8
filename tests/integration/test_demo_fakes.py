"""The living demo's outside systems: each fake starts as its own process, listens, and this
server's settings point at it with a secret both share."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from cad110.cli import demo_fakes
from cad110.settings import Settings, get_settings


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for fake in (demo_fakes.PHONE, demo_fakes.HOTLINE, demo_fakes.SMS, demo_fakes.FRAUD):
        for name in (*fake.secrets, *fake.url_settings):
            monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_demo_without_outside_systems_starts_a_fake_of_each() -> None:
    assert demo_fakes.wanted(Settings()) == [
        demo_fakes.PHONE,
        demo_fakes.HOTLINE,
        demo_fakes.SMS,
        demo_fakes.FRAUD,
    ]
    real = Settings(
        hotline_url="https://12345.example",
        sms_gateway_url="https://sms.example",
        fraud_96110_url="https://96110.example",
    )
    assert demo_fakes.wanted(real) == [demo_fakes.PHONE]


@pytest.mark.parametrize(
    "fake", [demo_fakes.PHONE, demo_fakes.HOTLINE, demo_fakes.SMS, demo_fakes.FRAUD]
)
@pytest.mark.usefixtures("clean_env")
def test_each_fake_listens_and_shares_its_secret(fake: demo_fakes.Fake) -> None:
    process, url = demo_fakes.start(fake, "http://127.0.0.1:9")
    try:
        assert process.poll() is None
        where = urlsplit(url)
        with socket.create_connection((where.hostname, where.port), timeout=5):
            pass
        settings = get_settings()
        shared = {
            "CAD110_PHONE_EVENTS_SECRET": settings.phone_events_secret,
            "CAD110_HOTLINE_SECRET": settings.hotline_secret,
            "CAD110_SMS_GATEWAY_SECRET": settings.sms_gateway_secret,
            "CAD110_FRAUD_SECRET": settings.fraud_secret,
            "CAD110_FRAUD_OUT_SECRET": settings.fraud_out_secret,
        }
        for name in fake.secrets:
            assert shared[name]
        found = {
            "CAD110_HOTLINE_URL": settings.hotline_url,
            "CAD110_SMS_GATEWAY_URL": settings.sms_gateway_url,
            "CAD110_FRAUD_96110_URL": settings.fraud_96110_url,
            "CAD110_FRAUD_FREEZE_URL": settings.fraud_freeze_url,
        }
        for name in fake.url_settings:
            assert found[name] == url
    finally:
        process.terminate()
        process.wait(timeout=10)
