"""The password policy: long enough, not the username, not guessable.

Guessability is zxcvbn's 0–4 score (dictionaries of common passwords, names and words,
keyboard walks, dates, repeats, l33t), with the account's own username and display name
added as words an attacker would try first. A centre tightens the policy with
CAD110_PASSWORD_MIN_LENGTH and CAD110_PASSWORD_MIN_SCORE.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from zxcvbn import zxcvbn

from cad110.errors import InvalidInput
from cad110.settings import Settings

# zxcvbn refuses longer input (its matching grows fast with length); a longer password is
# judged on its first ZXCVBN_MAX characters, which must be strong on their own.
ZXCVBN_MAX = 72
# zxcvbn keeps the user inputs of a call in a module-level dictionary: one call at a time.
_zxcvbn_lock = threading.Lock()


@dataclass(frozen=True)
class Weakness:
    """Why a password is refused, in both languages of the console."""

    code: str
    en: str
    zh: str

    @property
    def text(self) -> str:
        return f"{self.zh} / {self.en}"


class WeakPassword(InvalidInput):
    """A password the policy refuses (422 naming "password")."""

    def __init__(self, weakness: Weakness) -> None:
        super().__init__("password", weakness.text)
        self.weakness = weakness


def weakness(
    password: str, *, username: str, display_name: str | None, min_length: int, min_score: int
) -> Weakness | None:
    """The first reason to refuse `password`, or None when it is good enough."""
    if len(password) < min_length:
        return Weakness(
            "too_short",
            f"the password needs at least {min_length} characters",
            f"密码至少需要 {min_length} 个字符",
        )
    if username and username.casefold() in password.casefold():
        return Weakness(
            "contains_username",
            "the password must not contain the username",
            "密码不能包含用户名",
        )
    inputs = [username, *([display_name] if display_name else [])]
    with _zxcvbn_lock:
        score = int(zxcvbn(password[:ZXCVBN_MAX], user_inputs=inputs)["score"])
    if score < min_score:
        return Weakness(
            "too_guessable",
            "the password is too easy to guess (a common password, word, name, date or "
            "keyboard pattern); use a longer phrase of unrelated words",
            "密码太容易被猜到（常见密码、单词、姓名、日期或键盘规律），请使用几个不相关的词组成的更长口令",
        )
    return None


def check_password(
    password: str, *, username: str, display_name: str | None, settings: Settings
) -> None:
    """Raise WeakPassword (an InvalidInput naming "password") unless the policy accepts it."""
    found = weakness(
        password,
        username=username,
        display_name=display_name,
        min_length=settings.password_min_length,
        min_score=settings.password_min_score,
    )
    if found is not None:
        raise WeakPassword(found)
