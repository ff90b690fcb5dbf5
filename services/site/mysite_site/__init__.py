"""mysite's site service: the pages, the profile (JSON Resume) and the guestbook."""
