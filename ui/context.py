"""What every screen shares: the store, the language, the signed-in user, and the core's
events re-emitted as Qt signals on the GUI thread.

Signals:
    language_changed(str): the UI language switched; screens retranslate themselves.
    day_changed(): a business day was opened or closed, or cash moved.
    sales_changed(): a sale, refund or void was recorded.
    catalogue_changed(): products were added, edited or imported.
    user_changed(): another cashier signed in.
    settings_changed(): cooperative, printer or receipt settings were saved.
    sync_requested(): something worth pushing to the organisers happened (a day close).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from sqlalchemy.orm import Session

from pos import day, settings
from pos.db import DB_FILENAME, Store
from pos.i18n import Translator, is_rtl, normalise_language
from pos.models import BusinessDay, User


class AppContext(QObject):
    language_changed = Signal(str)
    day_changed = Signal()
    sales_changed = Signal()
    catalogue_changed = Signal()
    user_changed = Signal()
    settings_changed = Signal()
    sync_requested = Signal()

    def __init__(self, store: Store, data_dir: Path, lang: str = "fr") -> None:
        super().__init__()
        self.store = store
        self.data_dir = data_dir
        self.t = Translator(lang)
        self.user: User | None = None
        self.printer: Any = None  # the printing service, when it is running

    @classmethod
    def open(cls, data_dir: Path, lang: str | None = None) -> AppContext:
        store = Store.open(data_dir / DB_FILENAME)
        with store.read() as s:
            saved = settings.get(s, settings.LANGUAGE)
        return cls(store, data_dir, normalise_language(lang or saved))

    @property
    def lang(self) -> str:
        return self.t.lang

    @property
    def rtl(self) -> bool:
        return is_rtl(self.lang)

    @property
    def db_path(self) -> Path:
        return self.store.path

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
            with self.store.write() as s:
                settings.put(s, settings.LANGUAGE, lang)
        self.language_changed.emit(lang)

    def set_user(self, user: User | None) -> None:
        self.user = user
        self.user_changed.emit()

    def open_day(self) -> BusinessDay | None:
        with self.store.read() as s:
            return day.current_day(s)

    def name_of(self, name_ar: str, name_fr: str) -> str:
        """A product name in the UI language (Arabic for Arabic, French otherwise)."""
        if self.lang == "ar":
            return name_ar or name_fr
        return name_fr or name_ar

    def category_label(self, category: str) -> str:
        key = f"category.{category}"
        text = self.t(key)
        return category if text == key else text
