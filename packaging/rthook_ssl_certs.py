"""PyInstaller runtime hook: let the bundled OpenSSL find the system's CA certificates.

The bundled libssl looks for certificates where the build machine keeps them (Debian:
/usr/lib/ssl/certs -> /etc/ssl/certs). Fedora, openSUSE and others keep them elsewhere, and
HTTPS downloads would then fail with "certificate verify failed". When the compiled-in place
does not exist and the user has not chosen one, point SSL_CERT_FILE at the system's bundle.
"""

import os
import sys


def _point_openssl_at_system_certificates() -> None:
    if not sys.platform.startswith("linux") or os.environ.get("SSL_CERT_FILE"):
        return
    import _ssl

    _env_file, default_file, _env_dir, default_dir = _ssl.get_default_verify_paths()
    if os.path.isfile(default_file) or os.path.isdir(default_dir):
        return
    for candidate in (
        "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Arch, Gentoo
        "/etc/pki/tls/certs/ca-bundle.crt",  # Fedora, RHEL, CentOS
        "/etc/ssl/ca-bundle.pem",  # openSUSE
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  # RHEL family
        "/etc/ssl/cert.pem",  # Alpine, Void
    ):
        if os.path.isfile(candidate):
            os.environ["SSL_CERT_FILE"] = candidate
            return


_point_openssl_at_system_certificates()
