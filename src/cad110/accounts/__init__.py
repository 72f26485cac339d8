"""Accounts administration: users, their roles and scope, API tokens; disabling, unlocking
and resetting, each as an event (`/api/v1/admin/...`, `cad110 user|token ...`)."""
