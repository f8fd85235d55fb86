"""Every action the access log records: a dotted `noun.verb` name, one list.

docs/audit.md ("Recording") says, per action, what the event holds: object
kind, ids, `details`. Events never hold a PII value: ids, display ids, field
names, counts. Who acted (an API key, a staff user, a command) is the event's
actor, so an edit made in the admin is `profile.update` by a staff user.
"""

from __future__ import annotations

# API and admin: profiles.
PROFILE_LIST = "profile.list"  # API list/search: ids of the profiles returned, never the term
PROFILE_READ = "profile.read"  # GET, and get-or-create answering an existing profile
PROFILE_CREATE = "profile.create"
PROFILE_UPDATE = "profile.update"  # details: names of the fields changed
PROFILE_DELETE_REQUEST = "profile.delete_request"
PROFILE_ERASE = "profile.erase"  # details: deletion request id
PROFILE_EXPORT = "profile.export"  # a data subject export (purpose data_subject_request)
# Addresses (object ids: address ids; subject: the profile).
ADDRESS_LIST = "address.list"
ADDRESS_READ = "address.read"
ADDRESS_CREATE = "address.create"
ADDRESS_UPDATE = "address.update"
ADDRESS_DELETE = "address.delete"
# Data entries (object ids: data ids).
DATA_READ = "data.read"
DATA_CREATE = "data.create"
DATA_DELETE = "data.delete"
# Tokens.
TOKEN_TOKENIZE = "token.tokenize"  # noqa: S105 - an action name, not a secret; ids of the tokens made; details: count, JSON kinds
TOKEN_DETOKENIZE = "token.detokenize"  # noqa: S105 - an action name; ids resolved, by kind; details: counts
# A request refused by authentication (401) or authorization (403).
REQUEST_REFUSED = "request.refused"
# Admin only.
ADMIN_PROFILE_VIEW_UNMASKED = "admin.profile.view_unmasked"
ADMIN_PROFILE_SEARCH = "admin.profile.search"  # ids of the profiles listed, never the term
DELETION_APPROVE = "admin.deletion.approve"
DELETION_REJECT = "admin.deletion.reject"
# API keys (object ids: key prefixes).
API_KEY_CREATE = "api_key.create"
API_KEY_UPDATE = "api_key.update"  # details: names of the fields changed, never values
API_KEY_REVOKE = "api_key.revoke"
# Commands.
PURGE_RUN = "purge.run"  # details: rows removed per kind
REENCRYPT_RUN = "reencrypt.run"  # details: rows re-encrypted per model
SEARCH_INDEX_REBUILD = "search_index.rebuild"  # details: rows reindexed per kind
# The access log itself (object ids: segment ids where there are some).
AUDIT_EXPORT = "audit.export"  # export_audit: details since, until, count
AUDIT_SEAL = "audit.seal"  # seal_audit: the last event of the segment it seals
AUDIT_VERIFY = "audit.verify"  # verify_audit: what was checked, the first break
AUDIT_RETENTION = "audit.retention"  # purge_expired: a segment's events removed

# Reads: disclosures that change nothing. Their event, when it is a transaction
# of its own, is committed without waiting for the WAL flush (docs/audit.md, "Cost").
READS = frozenset(
    {
        PROFILE_LIST,
        PROFILE_READ,
        ADDRESS_LIST,
        ADDRESS_READ,
        DATA_READ,
        TOKEN_DETOKENIZE,
        ADMIN_PROFILE_VIEW_UNMASKED,
        ADMIN_PROFILE_SEARCH,
    }
)

ACTIONS = tuple(
    value for name, value in sorted(globals().items()) if name.isupper() and isinstance(value, str)
)
