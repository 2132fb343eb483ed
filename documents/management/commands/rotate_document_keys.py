"""Re-wrap every stored document's key with the current key-encryption key (docs/documents.md).

    DOCUMENTS_KEYS="new:<base64>,old:<base64>" manage.py rotate_document_keys
    # then drop "old" from DOCUMENTS_KEYS

Each file keeps its own data key and its bytes; only the small wrapped keys change. Idempotent,
resumable, and it verifies at the end that every stored file opens with the current key.
"""

from django.core.management.base import BaseCommand, CommandError

from documents import crypto, services


class Command(BaseCommand):
    help = (
        "Re-wrap every document's data key with the current key-encryption key (the first of DOCUMENTS_KEYS)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--verify", action="store_true", help="also decrypt every file to check it")

    def handle(self, *args, verify=False, **options):
        target = crypto.current_key_id()
        try:
            done = services.documents_rewrap_keys(to_key_id=target)
        except crypto.DecryptionFailed as error:
            raise CommandError(
                f"{error}: keep every key still in use in DOCUMENTS_KEYS until the rotation has finished"
            ) from error
        self.stdout.write(f"re-wrapped {done} document keys with key {target!r}")
        left = services.documents_not_on_key(key_id=target)
        if left:
            raise CommandError(f"{left} documents are still wrapped by another key; run the command again")
        if verify:
            failed = services.documents_verify_readable()
            if failed:
                raise CommandError(f"{len(failed)} documents do not decrypt: ids {failed[:20]}")
            self.stdout.write("every stored document decrypts with the current keys")
