"""A SAML 2.0 identity provider in a few functions, for a real round trip in tests: a
locally generated key and certificate, its metadata, and signed responses to the
service provider's AuthnRequest."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.utils import OneLogin_Saml2_Utils

ENTITY_ID = "https://idp.acme.example/saml"
SSO_URL = "https://idp.acme.example/saml/sso"


@dataclass(frozen=True)
class Idp:
    key_pem: str
    cert_pem: str

    @property
    def cert_b64(self) -> str:
        return "".join(self.cert_pem.strip().splitlines()[1:-1])

    def metadata(self, sso_url: str = SSO_URL) -> str:
        return f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{ENTITY_ID}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{self.cert_b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{sso_url}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""


def make_idp() -> Idp:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.acme.example")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return Idp(
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
    )


def authn_request_id(redirect_url: str) -> str:
    """The ID of the AuthnRequest the SP sent in a redirect to the IdP."""
    encoded = parse_qs(urlsplit(redirect_url).query)["SAMLRequest"][0]
    xml = zlib.decompress(base64.b64decode(encoded), -15).decode()
    start = xml.index(' ID="') + 5
    return xml[start : xml.index('"', start)]


def signed_response(
    idp: Idp,
    *,
    acs_url: str,
    audience: str,
    in_response_to: str,
    email: str,
    given: str,
    family: str,
) -> str:
    """A base64 SAMLResponse whose assertion is signed with the IdP's key."""
    now = dt.datetime.now(dt.UTC)

    def t(delta: int = 0) -> str:
        return (now + dt.timedelta(minutes=delta)).strftime("%Y-%m-%dT%H:%M:%SZ")

    assertion_id = f"_{uuid.uuid4().hex}"
    assertion = f"""<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{assertion_id}" Version="2.0" IssueInstant="{t()}"><saml:Issuer>{ENTITY_ID}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{email}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo="{in_response_to}" NotOnOrAfter="{t(5)}" Recipient="{acs_url}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{t(-1)}" NotOnOrAfter="{t(5)}"><saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{t()}" SessionIndex="{assertion_id}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>{email}</saml:AttributeValue></saml:Attribute><saml:Attribute Name="givenName"><saml:AttributeValue>{given}</saml:AttributeValue></saml:Attribute><saml:Attribute Name="sn"><saml:AttributeValue>{family}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>"""
    signed_assertion = OneLogin_Saml2_Utils.add_sign(
        assertion,
        idp.key_pem,
        idp.cert_pem,
        sign_algorithm=OneLogin_Saml2_Constants.RSA_SHA256,
        digest_algorithm=OneLogin_Saml2_Constants.SHA256,
    )
    if isinstance(signed_assertion, bytes):
        signed_assertion = signed_assertion.decode()
    signed_assertion = signed_assertion.replace('<?xml version="1.0"?>', "").strip()
    response = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_{uuid.uuid4().hex}" Version="2.0" IssueInstant="{t()}" Destination="{acs_url}" InResponseTo="{in_response_to}"><saml:Issuer>{ENTITY_ID}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>{signed_assertion}</samlp:Response>"""
    return base64.b64encode(response.encode()).decode()
