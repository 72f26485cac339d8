"""A watch on the browser for what it must never see (planted script run, markup parsed,
Content-Security-Policy violations, script errors), and pages opened under it."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

from tests.browser.steps import login

# Runs before any script of the page (outside its Content-Security-Policy): reports every
# violation, and keeps each Leaflet map so that the test can find its markers.
OBSERVER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.cspViolation([location.pathname, e.violatedDirective, e.blockedURI,
                       e.sourceFile + ":" + e.lineNumber, e.sample].join(" | "));
});
(() => {
  let leaflet;
  Object.defineProperty(window, "L", {
    configurable: true,
    get() { return leaflet; },
    set(value) {
      leaflet = value;
      if (value && value.Map && value.Map.addInitHook) {
        value.Map.addInitHook(function () { (window.__maps = window.__maps || []).push(this); });
      }
    },
  });
})();
"""


@dataclass
class Watch:
    """What the browser saw that it must never see."""

    ran: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    injected: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach(self, context: BrowserContext) -> BrowserContext:
        context.expose_function("xss", lambda tag: self.ran.append(str(tag)))
        context.expose_function("cspViolation", lambda text: self.violations.append(str(text)))
        context.add_init_script(OBSERVER)
        context.on("request", self._request)
        context.on("page", lambda page: page.on("pageerror", self._error))
        context.set_default_timeout(10_000)
        return context

    def _request(self, request: object) -> None:
        url = str(getattr(request, "url", ""))
        if urlsplit(url).path.endswith("/x"):
            self.injected.append(url)

    def _error(self, error: object) -> None:
        self.errors.append(str(error))

    def assert_clean(self) -> None:
        seen = {
            "planted script ran": self.ran,
            "planted markup was parsed": self.injected,
            "Content-Security-Policy violations": self.violations,
            "script errors": self.errors,
        }
        assert not any(seen.values()), "\n".join(f"{k}: {v}" for k, v in seen.items() if v)


def watched_context(
    browser: Browser, watch: Watch, *, phone: bool = False, locale: str = "zh-CN"
) -> BrowserContext:
    size: ViewportSize = {"width": 390, "height": 844} if phone else {"width": 1366, "height": 768}
    context = browser.new_context(
        viewport=size, locale=locale, timezone_id="Asia/Shanghai", is_mobile=phone
    )
    return watch.attach(context)


def page_as(
    browser: Browser,
    watch: Watch,
    base: str,
    user: str,
    *,
    phone: bool = False,
    locale: str = "zh-CN",
) -> Page:
    page = watched_context(browser, watch, phone=phone, locale=locale).new_page()
    login(page, base, user)
    return page
