"""Per-channel rendering of alerts: email (HTML + text), Slack (mrkdwn), Telegram (HTML) and plain text.

``render(view, kind)`` picks the renderer by channel kind, as ``services.channels.channel_kind``
names it; an unknown kind renders as plain text.
"""

from __future__ import annotations

from collections.abc import Callable

from ..view import AlertView
from ._common import Rendered, subject
from .email import render_email
from .slack import render_slack
from .telegram import render_telegram
from .text import render_text

__all__ = ["KINDS", "Rendered", "render", "subject"]

_RENDERERS: dict[str, Callable[[AlertView], Rendered]] = {
    "email": render_email,
    "slack": render_slack,
    "telegram": render_telegram,
    "text": render_text,
}

#: The channel kinds with a renderer of their own.
KINDS = tuple(_RENDERERS)


def render(view: AlertView, kind: str) -> Rendered:
    """Render an alert for one kind of channel.

    Args:
        view: The alert.
        kind: "email", "slack", "telegram" or "text"; anything else renders as "text".

    Returns:
        The subject line, the body and its format.
    """
    return _RENDERERS.get(kind, render_text)(view)
