"""Routes that take an .xlsx beside JSON, and answer a file (.xlsx or CSV) beside JSON.

An upload route keeps its typed JSON body (its pydantic model, its OpenAPI schema) and is given
``route_class_override=sheet_upload_route(SheetUpload(...))``. When the request says
``Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet``, the route reads the
first sheet (`skills_shared.spreadsheets.read_sheet`), puts the rows where the JSON body has its list, and
hands that JSON to the unchanged endpoint. The same model then validates it, and the service applies the same
rules. Any 422 that comes back, from pydantic or from the service's whole-upload checks, is pointed at the
sheet's cells: ``{"loc": ["file", "培训券发放名单", 5, "身份证号"], ...}``. The endpoint raises before it
commits, so nothing is stored.

The route documents the .xlsx in its OpenAPI ``requestBody``; the shared request middleware reads the app's
OpenAPI to let the .xlsx through to this route, and still answers 415 naming the accepted types everywhere
else, so what is documented and what is accepted cannot differ.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from skills_shared.errors import validation_errors
from skills_shared.middleware import ACCEPTED_EXTENSION
from skills_shared.problems import FieldError, Problem
from skills_shared.spreadsheets import (
    CSV_MEDIA,
    XLSX_MEDIA,
    Column,
    FormRows,
    SheetRows,
    Table,
    cell_errors,
    csv_bytes,
    file_problem,
    read_form,
    read_sheet,
    template_xlsx,
    xlsx_bytes,
)

JSON_MEDIA = "application/json"
BINARY = {"schema": {"type": "string", "format": "binary"}}
XLSX_FILE = {XLSX_MEDIA: BINARY}
CSV_FILE = {"text/csv": BINARY}
FileFormat = Literal["json", "csv", "xlsx"]
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


@dataclass(frozen=True)
class ListSheet:
    """One list of the body as a sheet: its title, its columns, and where its rows go in the body
    (``("holders",)`` gives ``{"holders": [...]}``)."""

    title: str
    columns: Sequence[Column]
    list_path: tuple[str, ...]


@dataclass(frozen=True)
class SheetUpload:
    """How a workbook becomes the route's JSON body.

    The simple case is one list (``title``, ``columns``, ``list_path``): the first sheet is read, whatever its
    name. A body with several lists and single values (a plan) adds ``also`` (more lists, each on the sheet of
    its title) and ``form`` (a sheet of items and values); then every sheet is found by its title.
    """

    title: str
    columns: Sequence[Column]
    list_path: tuple[str, ...]
    also: tuple[ListSheet, ...] = ()
    form: tuple[str, tuple[Column, ...]] | None = None
    fixed: Mapping[str, Any] = field(default_factory=dict)
    """Other members of the JSON body, the same for every upload."""

    @property
    def lists(self) -> tuple[ListSheet, ...]:
        return (ListSheet(self.title, self.columns, self.list_path), *self.also)

    def read(self, data: bytes) -> Workbook:
        by_name = bool(self.also or self.form)
        sheets = [
            (ls.list_path, read_sheet(data, ls.columns, sheet_name=ls.title if by_name else None))
            for ls in self.lists
        ]
        form = read_form(data, self.form[0], self.form[1]) if self.form else None
        return Workbook(sheets, form)

    def body(self, book: Workbook) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.fixed)
        if book.form is not None:
            out.update(book.form.values)
        for path, sheet in book.sheets:
            target = out
            for part in path[:-1]:
                target = target.setdefault(part, {})
            target[path[-1]] = sheet.rows
        return out

    def template(self) -> bytes:
        return template_xlsx([(ls.title, ls.columns) for ls in self.lists], self.form)


@dataclass(frozen=True)
class Workbook:
    """What an upload held: each list's sheet and the form, if any."""

    sheets: list[tuple[tuple[str, ...], SheetRows]]
    form: FormRows | None

    def cells(self, errors: Sequence[FieldError]) -> list[FieldError]:
        """Errors about the JSON body pointed at the cells they came from."""
        out: list[FieldError] = []
        for error in errors:
            loc = list(error.loc)
            where: list[str | int] | None = None
            for path, sheet in self.sheets:
                prefix = ["body", *path]
                if loc[: len(prefix)] == prefix:
                    where = cell_errors(sheet, [error], path)[0].loc
                    break
            if where is None and self.form is not None and loc[:1] == ["body"]:
                where = self.form.locate(loc[1:])
            out.append(FieldError(loc=where or ["file"], msg=error.msg, type=error.type))
        return out


def sheet_upload_route(upload: SheetUpload) -> type[APIRoute]:
    """An `APIRoute` class for one upload route: JSON as declared, or the .xlsx read as described above."""

    class SheetUploadRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def read_either(request: Request) -> Response:
                media = request.headers.get("content-type", "").split(";")[0].strip().lower()
                if media != XLSX_MEDIA:
                    return await handler(request)
                book = upload.read(await request.body())
                try:
                    return await handler(_as_json(request, upload.body(book)))
                except RequestValidationError as exc:
                    raise file_problem(book.cells(validation_errors(exc.errors()))) from None
                except Problem as problem:
                    if problem.status != 422 or not problem.errors:
                        raise
                    mapped = book.cells(problem.errors)
                    raise file_problem(
                        mapped, code=problem.code, rule=problem.rule, extra=problem.extra
                    ) from None

            return read_either

    SheetUploadRoute.__name__ = f"SheetUploadRoute[{upload.title}]"
    return SheetUploadRoute


def sheet_upload(
    router: APIRouter, method: str, path: str, upload: SheetUpload, **route: Any
) -> Callable[[Endpoint], Endpoint]:
    """Like ``@router.post(path, ...)``, for a route that also takes the .xlsx of ``upload``: the route class
    that reads it, the .xlsx in the documented request body, and 415 among the documented problems."""

    def register(endpoint: Endpoint) -> Endpoint:
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            route_class_override=sheet_upload_route(upload),
            openapi_extra=xlsx_request_body(upload),
            **route,
        )
        return endpoint

    return register


def _as_json(request: Request, payload: dict[str, Any]) -> Request:
    body = orjson.dumps(payload)
    headers = [(k, v) for k, v in request.scope["headers"] if k not in (b"content-type", b"content-length")]
    headers += [(b"content-type", JSON_MEDIA.encode()), (b"content-length", str(len(body)).encode())]
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request({**request.scope, "headers": headers}, receive)


def xlsx_request_body(upload: SheetUpload) -> dict[str, Any]:
    """``openapi_extra`` of an upload route: the .xlsx form beside the JSON schema FastAPI documents."""
    if upload.also or upload.form:
        names = [upload.form[0]] if upload.form else []
        names += [ls.title for ls in upload.lists]
        where = f"whose sheets {'、'.join(names)} are filled in from the template"
    else:
        where = f"whose first sheet is filled in from the template ({upload.title})"
    return {
        "requestBody": {
            "description": f"JSON as the schema says, or an .xlsx {where}; errors name the sheet, row and column.",
            "content": {XLSX_MEDIA: BINARY},
            ACCEPTED_EXTENSION: [JSON_MEDIA, XLSX_MEDIA],
        }
    }


def template_response(upload: SheetUpload, filename: str) -> Response:
    """The template of an upload as a download."""
    return xlsx_response(upload.template(), filename)


def xlsx_response(content: bytes, filename: str) -> Response:
    """An .xlsx download; ``filename`` is ASCII, the Chinese name goes in ``filename*``."""
    return Response(content, media_type=XLSX_MEDIA, headers=_disposition(filename))


def csv_response(content: bytes, filename: str) -> Response:
    return Response(content, media_type=CSV_MEDIA, headers=_disposition(filename))


def table_response(fmt: Literal["csv", "xlsx"], table: Table, filename: str) -> Response:
    """One table as a CSV (BOM, Chinese headers) or an .xlsx, named ``filename`` + the format's suffix."""
    if fmt == "csv":
        return csv_response(csv_bytes(table.columns, table.rows), f"{filename}.csv")
    return xlsx_response(xlsx_bytes(table), f"{filename}.xlsx")


def _disposition(filename: str) -> dict[str, str]:
    from urllib.parse import quote

    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return {
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    }


def file_responses(*formats: Literal["csv", "xlsx"]) -> dict[int | str, dict[str, Any]]:
    """The 200 content of a route that also answers files."""
    content: dict[str, Any] = {}
    if "csv" in formats:
        content.update(CSV_FILE)
    if "xlsx" in formats:
        content.update(XLSX_FILE)
    return {200: {"content": content}}
