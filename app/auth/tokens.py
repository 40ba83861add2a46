"""JWT verification following RFC 8725: an allow-list of algorithms, each tied to one kind of key.

HS256 is checked only against LIAISON_JWT_SECRET; RS256 / ES256 / EdDSA only against the configured
public key or the JWKS, and only with the algorithm that matches that key's type. `none` and every
other algorithm are refused. `exp`, `iss`, `aud` and `sub` are required."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from app.domain.errors import Unauthenticated
from app.domain.principal import ALL_SCOPES, PLATFORM_ADMIN, Principal
from app.settings import Settings

HS = "HS256"
VERIFIED_CACHE_SIZE = 10_000
MAX_SUBJECT = 200  # what every engine stores as the client of an idempotency key
ASYMMETRIC = ("RS256", "ES256", "EdDSA")


def _algorithm_for(key: Any) -> str:
    if isinstance(key, rsa.RSAPublicKey):
        return "RS256"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "ES256"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "EdDSA"
    raise ValueError("LIAISON_JWT_PUBLIC_KEY must be an RSA, EC (P-256) or Ed25519 public key in PEM")


class TokenService:
    def __init__(self, settings: Settings) -> None:
        self.secret = settings.jwt_secret
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.leeway = settings.jwt_leeway_seconds
        self.public_key: Any = None
        self.public_algorithm: str | None = None
        if settings.jwt_public_key:
            pem = settings.jwt_public_key.replace("\\n", "\n").encode()
            self.public_key = load_pem_public_key(pem)
            self.public_algorithm = _algorithm_for(self.public_key)
        self._verified: dict[str, tuple[Principal, float]] = {}
        self.jwks = (
            jwt.PyJWKClient(settings.jwt_jwks_url, cache_keys=True, lifespan=300, timeout=5)
            if settings.jwt_jwks_url
            else None
        )

    async def _key_for(self, token: str, alg: str) -> Any:
        if alg == HS:
            if not self.secret:
                raise Unauthenticated("HS256 tokens are not accepted by this service.")
            return self.secret
        if alg in ASYMMETRIC:
            if self.public_key is not None and alg == self.public_algorithm:
                return self.public_key
            if self.jwks is not None:
                try:
                    signing_key = await asyncio.to_thread(self.jwks.get_signing_key_from_jwt, token)
                except jwt.PyJWKClientError as exc:
                    raise Unauthenticated("The token's signing key is not in the identity provider's JWKS.") from exc
                if signing_key.algorithm_name and signing_key.algorithm_name != alg:
                    raise Unauthenticated("The token's algorithm does not match its key.")
                return signing_key.key
        raise Unauthenticated(f"The algorithm {alg!r} is not accepted.")

    async def verify(self, token: str) -> Principal:
        """A verified token is remembered until it expires: the signature of the same bytes cannot change."""
        cached = self._verified.get(token)
        if cached is not None:
            principal, expires = cached
            if time.time() <= expires + self.leeway:
                return principal
            del self._verified[token]
        principal, expires = await self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (principal, expires)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthenticated("The token is malformed.") from exc
        alg = header.get("alg")
        if not isinstance(alg, str):
            raise Unauthenticated("The token names no algorithm.")
        key = await self._key_for(token, alg)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("The token has expired.") from exc
        except jwt.InvalidAudienceError as exc:
            raise Unauthenticated("The token is meant for another audience.") from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthenticated("The token comes from another issuer.") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthenticated(f"The token lacks the claim `{exc.claim}`.") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated("The token's signature or claims are invalid.") from exc
        for name in ("exp", "iat", "nbf"):
            # NumericDate (RFC 7519 §2) is a JSON number: PyJWT would also take "1700000000" as a string
            if name in claims and (not isinstance(claims[name], int | float) or isinstance(claims[name], bool)):
                raise Unauthenticated(f"The `{name}` claim must be a number (seconds since the epoch).")
        principal = self._principal(claims)
        if alg == HS:
            principal = replace(principal, issued_here=True)
        return principal, float(claims["exp"])

    @staticmethod
    def _principal(claims: dict[str, Any]) -> Principal:
        scope = claims.get("scope", "")
        if not isinstance(scope, str):
            raise Unauthenticated("The `scope` claim must be a space-separated string.")
        scopes = frozenset(s for s in scope.split() if s in ALL_SCOPES)
        org, person, sub = claims.get("org"), claims.get("person"), claims["sub"]
        if not isinstance(sub, str) or not sub or len(sub) > MAX_SUBJECT:
            raise Unauthenticated(f"The `sub` claim must be a non-empty string of at most {MAX_SUBJECT} characters.")
        if org is not None and not isinstance(org, str):
            raise Unauthenticated("The `org` claim must be a string.")
        if person is not None and not isinstance(person, str):
            raise Unauthenticated("The `person` claim must be a string.")
        if org is None and PLATFORM_ADMIN not in scopes:
            raise Unauthenticated("The token lacks the claim `org`.")
        if org is None and (person is not None or claims.get("client_id") is not None):
            raise Unauthenticated("A token of no organization names no `person` and no `client_id`.")
        client_id = claims.get("client_id") if isinstance(claims.get("client_id"), str) else None
        if any("\x00" in value for value in (sub, org, person, client_id) if value):
            raise Unauthenticated("The token's claims hold a NUL character.")
        return Principal(subject=sub, organization_id=org, scopes=scopes, person_id=person, client_id=client_id)

    def mint(
        self,
        *,
        subject: str,
        organization_id: str | None,
        scopes: list[str] | str,
        ttl: int,
        person_id: str | None = None,
        client_id: str | None = None,
    ) -> str:
        if not self.secret:
            raise RuntimeError("no LIAISON_JWT_SECRET to sign with")
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "scope": scopes if isinstance(scopes, str) else " ".join(scopes),
        }
        if organization_id:
            claims["org"] = organization_id
        if person_id:
            claims["person"] = person_id
        if client_id:
            claims["client_id"] = client_id
        return jwt.encode(claims, self.secret, algorithm=HS)
