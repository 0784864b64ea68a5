"""End to end: Rasa (REST channel) + the action server, a conversation in each of the seven
languages, checking the language of the replies and the ticket in the database."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.language import detect
from core.bootstrap import bootstrap
from core.policy import load_policy
from core.settings import load_settings
from core.tokens import issue_token
from tests.e2e.chat_stack import SECRET, ChatStack, chat_stack, train_model

pytestmark = [pytest.mark.slow, pytest.mark.chat_model]

# language: (contract, opening message). Europe Gold 1013 for the European languages (French,
# Spanish, German, Portuguese are optional there: no guarantee); Middle East Gold 1022 for Arabic.
CONVERSATIONS = {
    "it": ("1013", "Buongiorno, il nostro fax digitale non spedisce più nessun documento"),
    "en": ("1013", "Hello, our digital fax has stopped sending any documents today"),
    "de": ("1013", "Guten Tag, unser digitales Fax verschickt seit heute keine Dokumente mehr"),
    "fr": ("1013", "Bonjour, notre fax numérique n'envoie plus aucun document depuis ce matin"),
    "es": ("1013", "Hola, nuestro fax digital ya no envía ningún documento desde esta mañana"),
    "pt": ("1013", "Olá, o nosso fax digital deixou de enviar documentos desde esta manhã"),
    "ar": ("1022", "مرحبا، جهاز الفاكس الرقمي لدينا لم يعد يرسل أي مستند منذ الصباح"),
}
TICKET = re.compile(r"\b(\d{7})\b")
MIN_WORDS_TO_CHECK = 4


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatStack]:
    train_model()
    with chat_stack(tmp_path_factory.mktemp("chat")) as running:
        yield running


def _without_names(text: str) -> str:
    """The reply without product names and ticket words, which are English in every language."""
    policy = load_policy()
    names = [p.name for p in policy.products] + ["ticket", "Help Center", "e-mail"]
    for name in names:
        text = text.replace(name, " ")
    return text


def _next_answer(messages: list[dict[str, Any]], description: str) -> str:
    """What a user clicks or types next: the first button offered, else the description."""
    buttons = [b for m in messages for b in m.get("buttons") or []]
    if buttons:
        priorities = [b for b in buttons if '"priority"' in b["payload"]]
        return str((priorities[1] if priorities else buttons[0])["payload"])  # P2 if offered
    return description


def _converse(stack: ChatStack, language: str) -> tuple[str, list[str]]:
    code, opening = CONVERSATIONS[language]
    token = issue_token(
        SECRET,
        code,
        f"admin{code}@customer.example",
        datetime.now(UTC),
        timedelta(hours=1),
        language,
    )
    sender = f"e2e-{language}-{uuid.uuid4().hex[:8]}"
    texts: list[str] = []
    message = opening
    for _ in range(6):
        replies = stack.say(sender, message, token=token)
        texts += [r["text"] for r in replies if r.get("text")]
        if any(TICKET.search(t) for t in texts):
            return sender, texts
        message = _next_answer(replies, opening)
    pytest.fail(f"no ticket after six turns in {language}: {texts}")


@pytest.mark.parametrize("language", list(CONVERSATIONS))
def test_a_conversation_in_each_language_opens_a_ticket_in_that_language(
    stack: ChatStack, language: str
) -> None:
    """Every reply is in the user's language; the ticket is in the database with the chat's
    conversation id, and the transcript holds both sides."""
    sender, texts = _converse(stack, language)
    for text in texts:
        words = _without_names(text)
        if len(words.split()) >= MIN_WORDS_TO_CHECK:
            assert detect(words)[0] == language, text
    if language == "ar":
        assert all(t.startswith("\u200f") for t in texts)
    number = next(m.group(1) for t in texts if (m := TICKET.search(t)))
    fd = bootstrap(load_settings({"DATABASE_URL": stack.database_url}))
    try:
        with fd.uow() as uow:
            ticket = uow.tickets.get(number)
            transcript = uow.transcripts.get("chat", sender)
        assert ticket is not None and ticket.conversation_id == sender
        assert ticket.channel == "chat" and ticket.priority == "P2"
        assert ticket.language == language
        assert ticket.guaranteed is (language in ("it", "en", "ar"))
        assert transcript is not None
        speakers = {t.speaker for t in transcript.turns}
        assert speakers == {"customer", "bot", "system"}  # system: the decision, as on the phone
        decisions = [t for t in transcript.turns if t.kind == "decision"]
        assert [t.text for t in decisions] == ["decision for P2: open_ticket"]
        assert decisions[0].reason
    finally:
        fd.dispose()
