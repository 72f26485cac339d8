"""Personal data (个人信息): least access by role and duty, reveal with a reason, and the access log."""
