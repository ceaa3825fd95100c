"""Apprise's per-message SSL context is built only when a connection is secured, with the settings made before."""

from __future__ import annotations

import ssl

from apprise.plugins.email import smtp as apprise_smtp

from services.apprise_hooks import LazySSLContext
from services.notify.deliver import Deliverer


def test_smtp_contexts_are_lazy_and_keep_their_settings() -> None:
    """Plain SMTP never loads the CA store; a secured connection gets a real context with check_hostname/verify_mode applied."""
    Deliverer()
    context = apprise_smtp.ssl.create_default_context()
    assert isinstance(context, LazySSLContext)
    assert object.__getattribute__(context, "_context") is None
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    assert object.__getattribute__(context, "_context") is None, "settings alone build nothing"
    assert context.verify_mode == ssl.CERT_NONE and context.check_hostname is False
    assert callable(context.wrap_socket)
    assert apprise_smtp.ssl.CERT_NONE is ssl.CERT_NONE
