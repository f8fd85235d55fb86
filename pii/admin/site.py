_profile_inlines: list = []


def add_profile_inline(inline):
    if inline not in _profile_inlines:
        _profile_inlines.append(inline)


def profile_inlines() -> list:
    return list(_profile_inlines)
