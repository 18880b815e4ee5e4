# SPDX-License-Identifier: ISC
"""mcp-hotd as an OAuth 2.1 resource server (--oauth-issuer, --oauth-jwks,
--resource, with --clients naming what each scope may use): both
metadata URLs answer (RFC 9728); a request without a token gets 401 and a
challenge naming the metadata and the scopes; RS256, ES256 and EdDSA
access tokens (typ at+jwt) with a client's scope are that client; expired,
another audience, another issuer, alg none, HS256 keyed with the public
key, an unknown kid, an altered signature and no typ are refused (401); a
valid token with no client's scope gets 403 insufficient_scope; after the
JWKS rotates and SIGHUP, the new key's tokens work and the old key's not."""

import base64
import hashlib
import hmac
import json
import os
import tempfile
import time

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from mcptest import Daemon, check, finish, tool
from sse import post

ISS = "https://auth.example.test"
RES = "https://mcp.example.test/mcp"
work = tempfile.mkdtemp(prefix="mcp-hotd-oauth-", dir="/var/tmp")
os.chmod(work, 0o755)

keys = {"rsa1": rsa.generate_private_key(65537, 2048),
        "rsa2": rsa.generate_private_key(65537, 2048),
        "ec1": ec.generate_private_key(ec.SECP256R1()),
        "ed1": ed25519.Ed25519PrivateKey.generate()}
ALG = {"rsa1": "RS256", "rsa2": "RS256", "ec1": "ES256", "ed1": "EdDSA"}


def jwk(kid):
    pub = keys[kid].public_key()
    if kid.startswith("rsa"):
        d = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(pub))
    elif kid.startswith("ec"):
        d = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(pub))
    else:
        raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        d = {"kty": "OKP", "crv": "Ed25519",
             "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode()}
    d.update({"kid": kid, "use": "sig"})
    return d


jwks_path = os.path.join(work, "jwks.json")


def write_jwks(kids):
    with open(jwks_path + ".new", "w") as f:
        json.dump({"keys": [jwk(k) for k in kids]}, f)
    os.rename(jwks_path + ".new", jwks_path)


write_jwks(["rsa1", "ec1", "ed1"])
clients_path = os.path.join(work, "clients.json")
with open(clients_path, "w") as f:
    json.dump([{"name": "support", "oauth_scope": "tools.support", "tools": ["lookup_*"]},
               {"name": "finance", "oauth_scope": "tools.finance", "tools": ["refund_order"]}],
              f)


def token(kid="rsa1", scope="tools.support", typ="at+jwt", **claims):
    now = int(time.time())
    body = {"iss": ISS, "aud": RES, "sub": "someone", "iat": now, "exp": now + 300,
            "scope": scope}
    body.update(claims)
    if typ is None:         # PyJWT would add typ JWT: signed here instead
        head = b64(json.dumps({"alg": ALG[kid], "kid": kid}).encode())
        data = f"{head}.{b64(json.dumps(body).encode())}"
        sig = keys[kid].sign(data.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{data}.{b64(sig)}"
    return jwt.encode(body, keys[kid], algorithm=ALG[kid], headers={"kid": kid, "typ": typ})


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


TOOLS = [tool(n, f"def {n}() -> str:\n    return '{n}'\n")
         for n in ("lookup_order", "refund_order")]
d = Daemon(TOOLS, http=True, workdir=work,
           args=["--clients", clients_path, "--oauth-issuer", ISS, "--oauth-jwks", jwks_path,
                 "--resource", RES])
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "t", "version": "1"}}}


def get(path):
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    return r.status, json.loads(body) if r.status == 200 else body


for path in ("/.well-known/oauth-protected-resource",
             "/.well-known/oauth-protected-resource/mcp"):
    st, m = get(path)
    check(st == 200 and m.get("resource") == RES and m.get("authorization_servers") == [ISS]
          and sorted(m.get("scopes_supported", [])) == ["tools.finance", "tools.support"],
          f"metadata at {path}", (st, m))
st, hdr, _ = post(d.port, INIT)
www = hdr.get("WWW-Authenticate", "")
check(st == 401 and 'resource_metadata="https://mcp.example.test/.well-known/'
      'oauth-protected-resource/mcp"' in www and "tools.support" in www,
      "no token: 401, the challenge names the metadata and the scopes", (st, www))


def session(tok):
    st, hdr, r = post(d.port, INIT, {"Authorization": f"Bearer {tok}"})
    return st, hdr, hdr.get("Mcp-Session-Id")


def listed(tok, sid):
    st, _, r = post(d.port, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
                    {"Authorization": f"Bearer {tok}", "Mcp-Session-Id": sid})
    return sorted(t["name"] for t in r["result"]["tools"]) if st == 200 else st


for kid in ("rsa1", "ec1", "ed1"):
    t = token(kid)
    st, _, sid = session(t)
    check(st == 200 and listed(t, sid) == ["lookup_order"],
          f"{ALG[kid]}: a token with support's scope is support", st)
t = token("ec1", scope="tools.support tools.finance")
st, _, sid = session(t)
check(st == 200 and listed(t, sid) == ["lookup_order", "refund_order"],
      "a token with both scopes sees both clients' tools", st)

now = int(time.time())
good = token()
h, p, s = good.split(".")
alt = s[:-4] + ("AAAA" if s[-4:] != "AAAA" else "BBBB")
pem = keys["rsa1"].public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
hs_head = b64(json.dumps({"alg": "HS256", "typ": "at+jwt", "kid": "rsa1"}).encode())
hs_body = b64(json.dumps({"iss": ISS, "aud": RES, "exp": now + 300,
                          "scope": "tools.support"}).encode())
hs_sig = b64(hmac.new(pem, f"{hs_head}.{hs_body}".encode(), hashlib.sha256).digest())
none_head = b64(json.dumps({"alg": "none", "typ": "at+jwt"}).encode())
BAD = {
    "expired": token(exp=now - 3600, iat=now - 7200),
    "another audience": token(aud="https://other.example.test/mcp"),
    "another issuer": token(iss="https://evil.example.test"),
    "alg none": f"{none_head}.{hs_body}.",
    "HS256 keyed with the public key": f"{hs_head}.{hs_body}.{hs_sig}",
    "an unknown kid": token("rsa2"),
    "an altered signature": f"{h}.{p}.{alt}",
    "no typ": token(typ=None),
    "typ JWT": token(typ="JWT"),
    "not valid yet": token(nbf=now + 3600),
}
for what, tok in BAD.items():
    st, hdr, _ = session(tok)
    check(st == 401 and 'error="invalid_token"' in hdr.get("WWW-Authenticate", ""),
          f"{what}: 401 invalid_token", (st, hdr.get("WWW-Authenticate")))
st, hdr, _ = session(token(scope="something.else"))
check(st == 403 and 'error="insufficient_scope"' in hdr.get("WWW-Authenticate", ""),
      "a valid token with no client's scope: 403 insufficient_scope",
      (st, hdr.get("WWW-Authenticate")))

# The issuer rotates: rsa2 in, rsa1 out; SIGHUP takes the new JWKS.
write_jwks(["rsa2", "ec1", "ed1"])
d.hup("oauth: 3 keys")
st_new, _, _ = session(token("rsa2"))
st_old, _, _ = session(token("rsa1"))
check(st_new == 200 and st_old == 401, "after rotation and SIGHUP: rsa2 works, rsa1 not",
      (st_new, st_old))
with open(jwks_path, "w") as f:
    f.write("{not json")
log = d.hup("keys stay as they were")
st, _, _ = session(token("rsa2"))
check(st == 200 and "keys stay as they were" in log,
      "a JWKS that does not read on SIGHUP: refused, the keys stay", st)
write_jwks(["rsa2", "ec1", "ed1"])
check(d.stop() == 0, "the daemon exits 0")
d = Daemon(TOOLS, http=True, workdir=work,
           args=["--clients", clients_path, "--oauth-issuer", ISS, "--oauth-jwks", jwks_path,
                 "--resource", RES, "--oauth-allow-no-typ"])
st, _, sid = session(token("rsa2", typ=None))
check(st == 200 and listed(token("rsa2", typ=None), sid) == ["lookup_order"],
      "--oauth-allow-no-typ: a token without typ is taken", st)
st, _, _ = session(token("rsa2", typ="JWT"))
check(st == 401, "... one with another typ still is not", st)
check(d.stop() == 0, "that daemon exits 0")
finish()
