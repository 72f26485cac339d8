"""Google Person Finder's PFIF module (Apache-2.0), used as a test oracle. See NOTICE.md."""
