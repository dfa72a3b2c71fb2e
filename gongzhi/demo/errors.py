"""What the demo generator and the apps' ``demo_data.py`` plug-ins share. It imports no plug-in, so a
plug-in may import it without an import circle (the generator imports the plug-ins, not the reverse)."""

from __future__ import annotations

from gongzhi.core.errors import UserError


class DemoError(UserError):
    """The demo could not be loaded or reset; ``message`` says why in plain Chinese."""
