"""What every screen shares: the store, the language, the signed-in user, and the core's
events re-emitted as Qt signals on the GUI thread.

Signals:
    language_changed(str): the UI language switched; screens retranslate themselves
        (then every window receives Qt's ``LanguageChange``).
    day_changed(): a business day was opened or closed, or cash moved.
    sales_changed(): a sale, refund or void was recorded.
    catalogue_changed(): products were added, edited or imported.
    user_changed(): another cashier signed in.
    settings_changed(): cooperative, printer or receipt settings were saved.
    sync_requested(): something worth pushing to the organisers happened (a day close).
    store_opened(): the database is open (see below).

The till can start from a :class:`pos.snapshot.Snapshot` (``AppContext.starting``): the
sale screen is drawn from it while ``store`` is still ``None``, then :meth:`open_store`
opens the real store and emits ``store_opened``. Screens that read or write wait for it;
SQLAlchemy and the core's models are only imported then.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Signal

from pos.files import DB_FILENAME
from pos.i18n import Translator, category_label, is_rtl, normalise_language

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from pos.db import Store
    from pos.models import BusinessDay, User
    from pos.snapshot import Day, Snapshot



class AppContext(QObject):
    language_changed = Signal(str)
    day_changed = Signal()
    sales_changed = Signal()
    catalogue_changed = Signal()
    user_changed = Signal()
    settings_changed = Signal()
    sync_requested = Signal()
    store_opened = Signal()

    def __init__(self, store: Store | None, data_dir: Path, lang: str = "fr",
                 snapshot: Snapshot | None = None) -> None:
        super().__init__()
        self._store = store
        self.data_dir = data_dir
        self.snapshot = snapshot
        self.t = Translator(lang)
        self.user: User | None = None
        self.printer: Any = None  # the printing service, when it is running

    @classmethod
    def open(cls, data_dir: Path, lang: str | None = None) -> AppContext:
        """The full start: the store opened (and migrated when needed) now."""
        from pos import settings
        from pos.db import Store

        store = Store.open(data_dir / DB_FILENAME)
        with store.read() as s:
            saved = settings.get(s, settings.LANGUAGE)
        return cls(store, data_dir, normalise_language(lang or saved))

    @classmethod
    def starting(cls, data_dir: Path, snapshot: Snapshot, lang: str | None = None
                 ) -> AppContext:
        """The fast start: screens drawn from ``snapshot``; call :meth:`open_store` next."""
        return cls(None, data_dir, normalise_language(lang or snapshot.language), snapshot)

    @property
    def ready(self) -> bool:
        """Whether the store is open (screens may read and write)."""
        return self._store is not None

    def open_store(self) -> None:
        """Open the store of a context made by :meth:`starting`, and say so. A file that
        cannot be read (locked, damaged) raises here, the store left closed."""
        if self._store is not None:
            return
        from pos import settings
        from pos.db import Store

        store = Store.open(self.data_dir / DB_FILENAME)
        try:
            with store.read() as s:
                settings.get(s, settings.LANGUAGE)
        except Exception:
            store.close()
            raise
        self._store = store
        self.store_opened.emit()

    def when_ready(self, slot: Any) -> None:
        """Call ``slot`` now if the store is open, else once it is."""
        if self.ready:
            slot()
        else:
            self.store_opened.connect(slot)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    @property
    def lang(self) -> str:
        return self.t.lang

    @property
    def rtl(self) -> bool:
        return is_rtl(self.lang)

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILENAME if self._store is None else self._store.path

    @property
    def store(self) -> Store:
        """The open store (see :attr:`ready`)."""
        if self._store is None:
            raise RuntimeError("the store is not open yet")
        return self._store

    def read(self) -> Any:
        return self.store.read()

    def write(self) -> Any:
        return self.store.write()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.store.read() as s:
            yield s

    def set_language(self, lang: str, *, save: bool = True) -> None:
        lang = normalise_language(lang)
        if lang == self.lang:
            return
        self.t = Translator(lang)
        if save:
            from pos import settings

            with self.write() as s:
                settings.put(s, settings.LANGUAGE, lang)
        self.language_changed.emit(lang)
        self._tell_windows()

    @staticmethod
    def _tell_windows() -> None:
        """Send Qt's ``LanguageChange`` through every window, to the widgets that hold a
        text no screen relabels (a banner's message, see :class:`ui.widgets.Banner`)."""
        from PySide6.QtWidgets import QApplication

        if isinstance(app := QApplication.instance(), QApplication):
            for window in app.topLevelWidgets():
                QApplication.sendEvent(window, QEvent(QEvent.Type.LanguageChange))

    def set_user(self, user: User | None) -> None:
        self.user = user
        self.user_changed.emit()

    def open_day(self) -> BusinessDay | Day | None:
        """The business day open (from the snapshot until the store is open)."""
        if self._store is None:
            return None if self.snapshot is None else self.snapshot.open_day
        from pos import day

        with self.store.read() as s:
            return day.current_day(s)

    def name_of(self, name_ar: str, name_fr: str) -> str:
        """A product name in the UI language (Arabic for Arabic, French otherwise)."""
        if self.lang == "ar":
            return name_ar or name_fr
        return name_fr or name_ar

    def category_label(self, category: str) -> str:
        return category_label(category, self.lang)
