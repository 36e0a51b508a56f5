"""The password hasher: Argon2id with OWASP's recommended minimum parameters.

Every consent signature re-checks the clinician's password, so the hash runs at the chair, on
every signing. Django's default PBKDF2 (1,000,000 iterations) took about 300 ms of CPU a check on
the clinic's 2-core machine, ten times a step save, and two clinicians signing at once held both
cores. Argon2id with 19 MiB of memory, 2 iterations and 1 lane (the first configuration of the
OWASP Password Storage Cheat Sheet, which rates it as strong as PBKDF2-HMAC-SHA256 at 600,000
iterations) takes about 20 ms and, being memory-hard, costs a GPU attacker more than PBKDF2 does.

The algorithm name stays ``argon2``, so Django reads hashes made with other Argon2 parameters
and rehashes them with these at the next sign-in; PBKDF2 hashes from before are read and
upgraded the same way (``PASSWORD_HASHERS`` in ``clinic.settings``).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class ClinicArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
