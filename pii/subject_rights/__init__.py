"""Data subject requests (GDPR Art. 15/17/20, CCPA): a customer's data export and
the erasure receipt. docs/subject-rights.md."""
