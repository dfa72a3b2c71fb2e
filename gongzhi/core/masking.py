"""Personal data masked by default (docs/DESIGN.md §7). Who sees it unmasked is decided by
``Scope.sees_personal_data(estate_id)``; these functions only do the masking."""


def mask_name(name: str) -> str:
    """王建国 → 王**; 张三 → 张*; Zhang San → Z*********."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


def mask_phone(phone: str) -> str:
    """13800001234 → 138****1234; anything shorter keeps only its last two characters."""
    if not phone:
        return ""
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * (len(phone) - 2) + phone[-2:]


def mask_email(email: str) -> str:
    """wang.jianguo@example.com → w***********@example.com; the domain stays readable."""
    if not email:
        return ""
    local, at, domain = email.partition("@")
    if not at:
        return mask_name(email)
    return (local[0] + "*" * max(len(local) - 1, 1)) + "@" + domain
