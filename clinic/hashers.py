"""The password hasher: Argon2id with OWASP's recommended minimum parameters.

Every consent signature re-checks the clinician's password, so the hash runs at the chair, on
every signing. Django's default PBKDF2 (1,000,000 iterations) took about 300 ms of CPU a check on
the clinic's 2-core machine, ten times a step save, and two clinicians signing at once held both
cores. Argon2id with 19 MiB of memory, 2 iterations and 1 lane (the first configuration of the
OWASP Password Storage Cheat Sheet, which rates it as strong as PBKDF2-HMAC-SHA256 at 600,000
iterations) takes about 20 ms and, being memory-hard, costs a GPU attacker more than PBKDF2 does.

Checks go through libsodium (PyNaCl): the same Argon2id at the same parameters, reading the same
PHC strings, but its memory-filling loop uses the processor's AVX2 or AVX-512 where argon2-cffi's
build uses SSE2, so a check takes about 14 ms instead of 18 ms on the clinic's machine. New
hashes are still made by Django's own code (argon2-cffi, with Django's salt), so Django reads,
summarises and upgrades them as before; argon2i and argon2d strings, which libsodium does not
check as Argon2id, go through Django's.

The algorithm name stays ``argon2``, so Django reads hashes made with other Argon2 parameters
and rehashes them with these at the next sign-in; PBKDF2 hashes from before are read and
upgraded the same way (``PASSWORD_HASHERS`` in ``clinic.settings``).
"""

from __future__ import annotations

import nacl.exceptions
import nacl.pwhash.argon2id
from django.contrib.auth.hashers import Argon2PasswordHasher

ARGON2ID_PREFIX = "$argon2id$"


class ClinicArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

    def verify(self, password: str, encoded: str) -> bool:
        phc = "$" + encoded.split("$", 1)[1]  # "argon2$argon2id$v=19$...": Django's name, then the PHC string
        if not phc.startswith(ARGON2ID_PREFIX):
            return super().verify(password, encoded)
        try:
            return nacl.pwhash.argon2id.verify(phc.encode("ascii"), password.encode())
        except nacl.exceptions.InvalidkeyError:
            return False
