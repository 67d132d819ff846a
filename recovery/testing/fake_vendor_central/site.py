"""Where the imitated portal lives: Vendor Central's paths and cookie names."""

MEMBERS = "/hz/vendor/members"
SESSION_COOKIE = "session-id"
PENDING_COOKIE = "ap-mfa"  # the password was right; the one-time code is next
