"""Evaluation results as an Excel sheet: the columns of a `ResultsUpload` and its template.

A 贯通 batch's expert panel (three scores per subject) and the title held are sent as JSON; the sheet carries
what every other batch has: the candidate, the photo reference and one score per subject.
"""

from __future__ import annotations

from skills_shared.spreadsheet_routes import SheetUpload
from skills_shared.spreadsheets import Column

RESULTS_SHEET = SheetUpload(
    title="评价结果",
    columns=(
        Column("name", "姓名", note="与身份证一致", example="张三", required=True),
        Column(
            "id_number",
            "身份证号",
            width=22,
            note="18位公民身份号码，末位X大写",
            example="500106199003070013",
            required=True,
        ),
        Column("gender", "性别", note="男 或 女，须与身份证号一致", example="男", required=True),
        Column("photo_ref", "照片编号", note="已上传的2寸照片的编号（选填）", example="photos/1.jpg"),
        Column("scores.theory", "理论知识成绩", "int", note="0–100 的整数；该等级不考理论时留空", example=75),
        Column("scores.skill", "操作技能成绩", "int", note="0–100 的整数", example=80),
        Column(
            "scores.comprehensive", "综合评审成绩", "int", note="技师、高级技师（一、二级）填写", example=None
        ),
    ),
    list_path=("candidates",),
)
