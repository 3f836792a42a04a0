"""One-click links from e-mails: signed tokens in the address, open to anyone holding one
(a bad token is a 400 page; see tests/tracking and tests/notifications)."""

PUBLIC = {
    "nudge_propose",
    "closure_keep_open",
    "notifications_unsubscribe",
    "meeting_rating_link",
}
