"""The missing-person closed loop (寻人闭环)."""
