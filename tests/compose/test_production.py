"""compose.prod.yaml on top of compose.yaml, as deployed on a server, with a certificate made
for the test instead of Let's Encrypt's (compose.prod-test.yaml): HTTPS serves, plain HTTP
redirects to it, HSTS is set, session cookies are Secure and host-only.

It switches the session's Compose project to the production files, so it runs last (the
files sort after the others) and the session's teardown takes it down."""

import ssl
from dataclasses import dataclass

import httpx
import pytest

from mysite_stack.stack import free_port

from .certificates import ServerCertificate, make_certificate
from .compose_project import COMPOSE_PROD_FILE, TEST_PROD_OVERRIDE_FILE
from .conftest import OWNER_PASSWORD, OWNER_USERNAME, ComposeStack, Timed

pytestmark = pytest.mark.compose

DOMAIN = "mysite.test"
# Replaces the gateway's tls-prod.yml: the store's default certificate is the test's own.
TEST_TLS_CONFIG = """\
tls:
  stores:
    default:
      defaultCertificate:
        certFile: /etc/traefik/test-tls/certificate.pem
        keyFile: /etc/traefik/test-tls/key.pem
"""


@dataclass
class ProductionStack:
    stack: ComposeStack  # its url is the HTTPS one
    http_url: str
    certificate: ServerCertificate

    def client(self) -> httpx.Client:
        trusted = ssl.create_default_context(cafile=str(self.certificate.authority_file))
        return httpx.Client(base_url=self.stack.url, timeout=30, verify=trusted)


@pytest.fixture(scope="module")
def production(
    compose_stack: ComposeStack, tmp_path_factory: pytest.TempPathFactory
) -> ProductionStack:
    tls_directory = tmp_path_factory.mktemp("tls")
    certificate = make_certificate(tls_directory, DOMAIN)
    (tls_directory / "tls-prod.yml").write_text(TEST_TLS_CONFIG)
    # Readable by the gateway whatever user it runs as: a throwaway key for this run.
    tls_directory.chmod(0o755)
    for path in tls_directory.iterdir():
        path.chmod(0o644)
    https_port = free_port()
    project = compose_stack.project
    project.files = [*project.files, COMPOSE_PROD_FILE, TEST_PROD_OVERRIDE_FILE]
    project.settings.update(
        {
            "MYSITE_DOMAIN": DOMAIN,
            "MYSITE_HTTPS_PORT": str(https_port),
            "MYSITE_TEST_TLS_DIR": str(tls_directory),
        }
    )
    https = ComposeStack(
        project=project, url=f"https://127.0.0.1:{https_port}", fake_kakao=compose_stack.fake_kakao
    )
    with Timed("up with compose.prod.yaml until routable"):
        https.up()
    return ProductionStack(stack=https, http_url=compose_stack.url, certificate=certificate)


def test_https_serves_the_site_with_hsts(production: ProductionStack) -> None:
    with production.client() as client:
        home = client.get("/")
        assert home.status_code == 200
        assert "text/html" in home.headers["content-type"]
        hsts = home.headers["strict-transport-security"]
        assert "max-age=31536000" in hsts
        assert "includeSubDomains" in hsts


def test_plain_http_only_redirects_to_https(production: ProductionStack) -> None:
    with httpx.Client(base_url=production.http_url, timeout=30) as plain:
        for path in ("/", "/guestbook?page=2", "/api/auth/me"):
            response = plain.get(path, follow_redirects=False)
            assert response.status_code in (301, 308), path
            assert response.headers["location"].startswith("https://"), path
            assert response.headers["location"].endswith(path), path
            assert "set-cookie" not in response.headers
        login = plain.post("/api/auth/login", json={}, follow_redirects=False)
        assert login.status_code in (301, 308)  # never answered over plain HTTP


def test_sessions_over_https_use_secure_host_only_cookies(production: ProductionStack) -> None:
    with production.client() as client:
        login = client.post(
            "/api/auth/login", json={"username": OWNER_USERNAME, "password": OWNER_PASSWORD}
        )
        assert login.status_code == 200, login.text
        cookies = login.headers.get_list("set-cookie")
        credentials = [cookie for cookie in cookies if "httponly" in cookie.lower()]
        assert len(credentials) == 2  # the access and refresh tokens
        for cookie in credentials:
            assert cookie.startswith("__Host-"), cookie
        # Every cookie, the script-readable "signed in" hint (no secret) included, is sent
        # over HTTPS only and to this host only.
        for cookie in cookies:
            attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
            assert "secure" in attributes, cookie
            assert not [part for part in attributes if part.startswith("domain=")], cookie
        assert client.get("/api/auth/me").json()["username"] == OWNER_USERNAME
        assert client.get("/admin").status_code == 200
