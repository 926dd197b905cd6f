"""Who may reach what: the expected answer of every URL pattern and API operation
for each role, for an object of the user's own department and of another
(``mamoru.access_matrix`` explains the notation; docs/security/access.md the why).

One row per endpoint, keyed by URL name (``namespace:name``), by the route of an
unnamed pattern, or by the API's operation id. Cells in the order
anonymous, staff, supervisor, manager, specialist, administrator:
``ok``, ``msg``, ``login``, ``400``, ``403``, ``404``, ``405`` (see ``OUTCOMES``),
or ``own/other``. The usual rows have names (``DEPARTMENT``...). URL parameters
name the test's objects (``pk="contact"``); ``"=text"`` is literal text.
Adding a view means adding its row here; tests/test_access_matrix.py fails until
it exists and holds, and docs/access-matrix.md is regenerated with
``python -m mamoru access-matrix -o docs/access-matrix.md``."""

from mamoru.access_matrix import rule

# The usual rows, named.
# 誰でも（ログイン画面、ヘルスチェック、API のスキーマ）
ANYONE = "ok ok ok ok ok ok"
# ログインしていれば誰でも
SIGNED_IN = "login ok ok ok ok ok"
# 対応記録を扱う4ロール（システム管理者は記録を読まない）
HANDLERS = "login ok ok ok ok 403"
# その課の職員・上司・管理職と専門部署（他課のものは存在しないものとして 404）
DEPARTMENT = "login ok/404 ok/404 ok/404 ok 404"
# その課の上司・管理職と専門部署
DEPARTMENT_SUPERVISORS = "login 403/404 ok/404 ok/404 ok 404"
# 専門部署のみ（他は 404 / 403）
SPECIALIST = "login 404 404 404 ok 404"
SPECIALIST_403 = "login 403 403 403 ok 403"
# システム管理者のみ
ADMINISTRATOR = "login 403 403 403 403 ok"
# Django 管理サイト: システム管理者のみ（他は管理サイトのログイン画面へ）
ADMIN_SITE = "login login login login login ok"
# 管理サイトでもシステム管理者に許していない操作（削除・追加など）
ADMIN_SITE_NONE = "login login login login login 403"

# 管理職（自課）と専門部署（全課）
STATISTICS = "login 403 403 ok ok 403"

RULES = {
    # 統計（issue 16）
    "stats:dashboard": rule("GET", STATISTICS),
    "stats:staff_exposure": rule("GET", STATISTICS, note="職員の名前が出る。管理職は自課、専門部署は全課"),
    "stats:report": rule("GET", STATISTICS, note="集計の数字だけの報告（PDF・Excel）。公表用は専門部署のみ"),
    # 対応記録
    "records:home": rule("GET", SIGNED_IN),
    "records:contact_list": rule("GET", HANDLERS),
    "records:contact_start": rule("POST", HANDLERS),
    "records:contact_new": rule("GET POST", HANDLERS),
    "records:contact_detail": rule("GET", DEPARTMENT, pk="contact"),
    "records:contact_edit": rule("GET POST", DEPARTMENT, pk="contact"),
    "records:contact_end": rule("POST", DEPARTMENT, pk="live"),
    "records:contact_clock": rule("GET", DEPARTMENT, pk="contact"),
    "records:contact_print": rule("GET", DEPARTMENT, pk="contact"),
    "records:contact_history": rule("GET", DEPARTMENT, pk="contact"),
    "records:contact_judgement": rule("GET POST", DEPARTMENT_SUPERVISORS, pk="contact"),
    "records:contact_delete": rule("GET POST", DEPARTMENT_SUPERVISORS, pk="contact"),
    # 住民等
    "people:resident_list": rule("GET", HANDLERS),
    "people:resident_create": rule("GET POST", HANDLERS),
    "people:resident_pick": rule("GET", HANDLERS),
    "people:resident_duplicates": rule("GET", HANDLERS),
    "people:resident_merge_list": rule("GET", SPECIALIST),
    "people:resident_merge_undo": rule("GET POST", SPECIALIST, pk="merge"),
    "people:resident_merge": rule("GET POST", SPECIALIST, pk="resident", other_pk="twin"),
    "people:resident_detail": rule(
        "GET", "login ok ok ok ok 404", pk="resident", note="住民等は課をまたいで共有。対応履歴は見られる課のものだけ"
    ),
    "people:resident_similar": rule("GET", SPECIALIST, pk="resident"),
    "people:resident_edit": rule("GET POST", "login ok ok ok ok 404", pk="resident"),
    # 監査ログ
    "audit:audit_list": rule("GET", "login 403 403 403 ok ok"),
    # 応援要請
    "backup_calls:create": rule("POST", DEPARTMENT, contact_pk="live"),
    "backup_calls:take": rule("POST", "login msg/404 ok/404 ok/404 ok 404", pk="call"),
    "backup_calls:resolve": rule("POST", DEPARTMENT, pk="call"),
    # 事案・職員のケア
    "cases:case_list": rule("GET", HANDLERS),
    "cases:case_open_list": rule("GET", HANDLERS),
    "cases:staff_care": rule("GET", "login 403 403 ok ok 403"),
    "cases:case_report": rule("POST", DEPARTMENT, contact_pk="contact"),
    "cases:case_detail": rule("GET", DEPARTMENT, pk="case"),
    "cases:case_print": rule("GET", DEPARTMENT, pk="case"),
    "cases:case_state": rule("POST", DEPARTMENT_SUPERVISORS, pk="case"),
    "cases:case_step": rule("POST", DEPARTMENT, pk="case"),
    "cases:case_handler": rule("POST", DEPARTMENT_SUPERVISORS, pk="case"),
    "cases:follow_up_create": rule("POST", DEPARTMENT_SUPERVISORS, pk="case"),
    "cases:follow_up_complete": rule(
        "POST",
        "login 403/404 404 ok/404 ok 404",
        pk="follow_up",
        note="記録した上司・管理職と専門部署。本人は見られるが実施済みにはできない（表の対象は管理職が記録したもの）",
    ),
    # 繰り返し
    "repetition:flag_list": rule("GET", SPECIALIST_403),
    "repetition:recount": rule("POST", SPECIALIST_403),
    "repetition:flag_detail": rule("GET", SPECIALIST, pk="flag"),
    "repetition:flag_decide": rule("POST", SPECIALIST, pk="flag"),
    # 判断の補助
    "assessment:suggest": rule("POST", HANDLERS),
    "assessment:contact_suggest": rule("POST", "login ok/404 ok/404 ok/404 ok 403", pk="contact"),
    "assessment:contact_decide": rule("POST", "login 400/404 400/404 400/404 400 403", pk="contact"),
    # お知らせ
    "notifications:list": rule("GET", SIGNED_IN),
    "notifications:open": rule(
        "POST", "login 404 404 ok/404 404 404", pk="notification", note="宛先の本人のみ（表の対象は管理職宛て）"
    ),
    "notifications:read_all": rule("POST", SIGNED_IN),
    # 措置
    "measures:measure_list": rule("GET", HANDLERS),
    "measures:measure_inbox": rule("GET", SIGNED_IN),
    "measures:measure_new": rule("GET POST", SPECIALIST_403, resident_pk="resident"),
    "measures:measure_facts_draft": rule("GET", SPECIALIST_403, resident_pk="resident"),
    "measures:measure_detail": rule("GET", "login 404 ok/404 ok/404 ok 404", pk="measure"),
    "measures:measure_edit": rule("GET POST", SPECIALIST_403, pk="drafted"),
    "measures:measure_submit": rule("POST", "login 404 403/404 403/404 ok 404", pk="drafted"),
    "measures:measure_approve": rule("POST", "login 404 403/404 ok/404 403 404", pk="submitted"),
    "measures:measure_send_back": rule("POST", "login 404 403/404 ok/404 403 404", pk="submitted"),
    "measures:measure_issue": rule("POST", "login 404 403/404 403/404 ok 404", pk="approved"),
    "measures:measure_withdraw": rule("POST", "login 404 403/404 403/404 ok 404", pk="measure"),
    "measures:measure_appeal": rule("POST", "login 404 403/404 403/404 ok 404", pk="measure"),
    "measures:measure_appeal_decide": rule(
        "POST", "login 404 403/404 403/404 ok 404", pk="measure", appeal_pk="appeal"
    ),
    "measures:measure_letter": rule("GET", "login 404 ok/404 ok/404 ok 404", pk="measure"),
    "measures:measure_letter_preview": rule("GET", "login 404 ok/404 ok/404 ok 404", pk="submitted"),
    "measures:contact_restriction_breaches": rule("GET", DEPARTMENT, contact_pk="contact"),
    "measures:measure_contact": rule(
        "GET", "login 404 404 ok/404 404 404", pk="submitted", contact_pk="contact", note="決裁待ちの決裁者のみ"
    ),
    # 利用者・トークン
    "accounts:login": rule("GET POST", ANYONE),
    "accounts:logout": rule("POST", SIGNED_IN, note="ログアウト後はログイン画面へ"),
    "accounts:sign_out_everywhere": rule(
        "POST", SIGNED_IN, note="本人のすべての端末のセッションを終え、ログイン画面へ"
    ),
    "accounts:preferences": rule("GET POST", SIGNED_IN),
    "accounts:administration": rule("GET", ADMINISTRATOR),
    "accounts:token_list": rule("GET POST", ADMINISTRATOR),
    "accounts:token_approve": rule(
        "POST",
        ADMINISTRATOR,
        pk="pending_token",
        note="連携用アカウントのトークンを、申請者とは別のシステム管理者が承認",
    ),
    "accounts:token_revoke": rule("POST", ADMINISTRATOR, pk="token"),
    # 二要素認証（本人の設定）・再認証
    "accounts:otp_settings": rule("GET", SIGNED_IN, note="本人の設定のみ"),
    "accounts:otp_enrol": rule("GET POST", SIGNED_IN, note="本人の認証アプリの登録"),
    "accounts:otp_verify": rule("GET POST", SIGNED_IN, note="確認コードが要らないセッションは元の画面へ"),
    "accounts:otp_recovery_codes": rule("GET", SIGNED_IN, note="作ったばかりの本人の回復コードを一度だけ表示"),
    "accounts:otp_recovery_regenerate": rule("POST", SIGNED_IN, note="登録済みの本人のみ"),
    "accounts:otp_remove": rule("POST", SIGNED_IN, note="本人のみ。二要素認証が必須の役割は解除できない"),
    "accounts:reauthenticate": rule("GET POST", SIGNED_IN, note="出力・システム管理の前の再認証（本人のパスワード）"),
    "accounts:otp_admin_list": rule("GET", ADMINISTRATOR),
    "accounts:otp_admin_reset": rule("POST", ADMINISTRATOR, pk="user", note="本人に通知される"),
    # ポリシーパック
    "policy:detail": rule("GET POST", SIGNED_IN, post=ADMINISTRATOR, note="変更（アップロード）はシステム管理者のみ"),
    "policy:revert": rule("POST", ADMINISTRATOR),
    # 通知文書のひな形
    "letters:template_list": rule("GET", "login 404 404 404 ok ok"),
    "letters:template_edit": rule("GET POST", "login 404 404 404 ok ok", pk="letter_template"),
    "letters:template_preview": rule(
        "GET POST", "login 404 404 404 ok ok", pk="letter_template", post="login 404 404 404 400 400"
    ),
    # API の URL（操作は下の API の節）
    "api:openapi-json": rule("GET", ANYONE, note="API の説明のみ（データは含まない）"),
    "api:api-root": rule("GET", "404 404 404 404 404 404"),
    # Django 管理サイト（利用者と所属だけ。issue 13 A2）
    "admin:index": rule("GET", ADMIN_SITE),
    "admin:login": rule("GET POST", SIGNED_IN),
    "admin:logout": rule(
        "POST", SIGNED_IN, note="システム管理者はログアウトしてログイン画面へ。他は管理サイトの入口へ戻すだけ"
    ),
    "admin:password_change": rule("GET POST", ADMIN_SITE),
    "admin:password_change_done": rule("GET", ADMIN_SITE),
    "admin:autocomplete": rule("GET", ADMIN_SITE_NONE),
    "admin:jsi18n": rule("GET", ADMIN_SITE),
    "admin:view_on_site": rule(
        "GET", "login login login login login 404", content_type_id="content_type", object_id="user"
    ),
    "admin:accounts_department_changelist": rule("GET", ADMIN_SITE),
    "admin:accounts_department_add": rule("GET POST", ADMIN_SITE),
    "admin:accounts_department_history": rule("GET", ADMIN_SITE, object_id="department"),
    "admin:accounts_department_delete": rule("GET POST", ADMIN_SITE_NONE, object_id="department"),
    "admin:accounts_department_change": rule("GET POST", ADMIN_SITE, object_id="department"),
    "admin/accounts/department/<path:object_id>/": rule("GET", ADMIN_SITE, object_id="department"),
    "admin:auth_user_password_change": rule("GET POST", ADMIN_SITE, id="user"),
    "admin:accounts_user_changelist": rule("GET", ADMIN_SITE),
    "admin:accounts_user_add": rule("GET POST", ADMIN_SITE),
    "admin:accounts_user_history": rule("GET", ADMIN_SITE, object_id="user"),
    "admin:accounts_user_delete": rule("GET POST", ADMIN_SITE_NONE, object_id="user"),
    "admin:accounts_user_change": rule("GET POST", ADMIN_SITE, object_id="user"),
    "admin/accounts/user/<path:object_id>/": rule("GET", ADMIN_SITE, object_id="user"),
    "admin:app_list": rule("GET", ADMIN_SITE, app_label="=accounts"),
    "admin/(?P<url>.*)$": rule("GET", "login login login login login 404", url="=no-such-page/"),
    # 個人情報の開示請求・訂正請求（専門部署のみ。他は存在しないものとして 404）
    # 他事業者からの申入れ（business stream, issue 15 B）: 専門部署が受付・対応し、指名された管理職が閲覧・措置を決定。
    # 対象職員は申入れがあることと自分の聴取を見る（市民課の職員・管理職が対象職員・指名された管理職）。
    "business_requests:list": rule("GET", "login 403 403 ok ok 403", note="管理職は指名された申入れのみ表示"),
    "business_requests:mine": rule("GET", HANDLERS),
    "business_requests:new": rule("GET POST", SPECIALIST_403),
    "business_requests:detail": rule(
        "GET", "login ok 404 ok ok 404", pk="br_assigned", note="対象職員・指名された管理職・専門部署"
    ),
    "business_requests:assign": rule("POST", SPECIALIST_403, pk="br_received"),
    "business_requests:note": rule("POST", SPECIALIST_403, pk="br_assigned"),
    "business_requests:hearing": rule("POST", SPECIALIST_403, pk="br_assigned"),
    "business_requests:hearing_confirm": rule(
        "POST", "login ok 404 404 404 404", pk="br_hearing", note="聴取を受けた本人"
    ),
    "business_requests:outcome": rule("POST", SPECIALIST_403, pk="br_assigned"),
    "business_requests:measures": rule("POST", "login 403 404 ok 403 404", pk="br_decided", note="指名された管理職"),
    "business_requests:reply": rule("POST", SPECIALIST_403, pk="br_measured"),
    "business_requests:close": rule("POST", SPECIALIST_403, pk="br_replied"),
    "business_requests:reply_letter": rule(
        "GET", "login 404 404 ok ok 404", pk="br_replied", note="回答書（発出したPDF）：専門部署と指名された管理職"
    ),
    # インターネット上の投稿（online stream, issue 15 A）: 専門部署、対象の職員とその課の上司・管理職
    "online:post_list": rule("GET", HANDLERS),
    "online:post_report": rule("GET POST", HANDLERS, note="職員は自分についての投稿、専門部署は誰についても"),
    "online:post_detail": rule("GET", DEPARTMENT, pk="online_post", note="対象の職員・その課の上司・管理職・専門部署"),
    "online:post_step_add": rule("POST", "login 403/404 403/404 403/404 400 404", pk="online_post"),
    "online:post_url_add": rule("POST", "login 400/404 400/404 400/404 400 404", pk="online_post"),
    "online:post_letter_add": rule("POST", "login 403/404 403/404 403/404 400 404", pk="online_post"),
    "online:post_letter_pdf": rule("GET", DEPARTMENT, pk="online_post", letter_pk="online_letter"),
    "disclosure:request_list": rule("GET", SPECIALIST),
    "disclosure:request_new": rule("GET POST", SPECIALIST, note="住民等を選んで受付"),
    "disclosure:request_detail": rule("GET", SPECIALIST, pk="reviewing"),
    "disclosure:request_collect": rule("POST", SPECIALIST, pk="received"),
    "disclosure:request_review": rule("POST", SPECIALIST, pk="collected", note="収集した職員とは別の専門部署の職員"),
    "disclosure:request_withhold": rule("POST", SPECIALIST, pk="reviewing", note="審査中の本人"),
    "disclosure:request_withholding_remove": rule(
        "POST", SPECIALIST, pk="reviewing", withholding_pk="withholding", note="審査中の本人"
    ),
    "disclosure:request_staff_names_remove": rule("POST", SPECIALIST, pk="reviewing", note="審査中の本人"),
    "disclosure:request_decide": rule("POST", SPECIALIST, pk="reviewing", note="審査中の本人"),
    "disclosure:request_extend": rule("POST", SPECIALIST, pk="received"),
    "disclosure:request_deliver": rule("POST", SPECIALIST, pk="decided"),
    "disclosure:request_preview": rule("GET", SPECIALIST, pk="collected"),
    "disclosure:request_export": rule("GET", SPECIALIST, pk="decided", fmt="=pdf", note="決定したものの PDF・JSON"),
    "disclosure:correction_new": rule("GET POST", SPECIALIST, note="住民等を選んで受付"),
    "disclosure:correction_detail": rule(
        "GET POST", SPECIALIST, pk="correction", note="決定（POST）は受け付けた職員とは別の専門部署の職員"
    ),
    "disclosure:correction_extend": rule("POST", SPECIALIST, pk="correction"),
    # 証拠のタイムスタンプ（timestamps stream）: 証拠を見られる人だけ（他は存在しないものとして 404）
    "evidence_timestamps:token_download": rule(
        "GET", DEPARTMENT, evidence_pk="evidence", pk="timestamp", note="職員は自分で登録した証拠のもの"
    ),
    # 証拠（録音・写真・画面の記録など）: その課の上司・管理職と専門部署、職員は自分が登録したもの（表の証拠は職員が登録）
    "evidence:contact_upload": rule("POST", DEPARTMENT, pk="contact", note="複数ファイルを一度に登録"),
    "evidence:case_upload": rule("POST", DEPARTMENT, pk="case", note="複数ファイルを一度に登録"),
    "evidence:post_upload": rule(
        "POST",
        "login 400/404 400/404 400/404 400 404",
        pk="online_post",
        note="投稿の対象の職員・その課の上司・管理職・専門部署（ファイルなしの送信は 400）",
    ),
    "evidence:subject_upload": rule(
        "POST",
        "login 403 404 403 ok 404",
        key="=business_request",
        pk="br_assigned",
        note="他事業者から受け取った証拠：専門部署が登録（対象職員・指名された管理職は見るだけ）",
    ),
    "evidence:evidence_detail": rule("GET", DEPARTMENT, pk="evidence"),
    "evidence:evidence_open": rule("POST", DEPARTMENT, pk="evidence", note="目的を入力して再生・表示・ダウンロード"),
    "evidence:evidence_file": rule(
        "GET",
        "login 403/404 403/404 403/404 403 404",
        pk="evidence",
        note="目的を入力したときに発行される本人用の署名付き許可がなければ 403",
    ),
    # 証拠の書き出し・証拠一覧・警察への提出（issue 14、export）: その課の上司・管理職と専門部署
    "evidence:case_export": rule(
        "GET POST", DEPARTMENT_SUPERVISORS, pk="case", note="目的と提出先を入力して ZIP。書き出しの前に再ログイン"
    ),
    "evidence:case_evidence_list": rule("GET", DEPARTMENT_SUPERVISORS, pk="case", note="A4 PDF。再ログインの後"),
    "evidence:case_handover": rule("GET POST", DEPARTMENT_SUPERVISORS, pk="case"),
    # 証拠の保存（削除停止）: その課の上司・管理職と専門部署（表の証拠は職員が登録: 職員は見られるが設定できない）
    "evidence_hold:hold_set": rule("POST", DEPARTMENT_SUPERVISORS, pk="evidence", note="根拠と理由を入力"),
    "evidence_hold:hold_release": rule("POST", DEPARTMENT_SUPERVISORS, pk="held", note="解除の理由を入力"),
    # ヘルスチェック
    "healthz": rule("GET", ANYONE),
    # API の操作（OpenAPI の operationId）。未ログイン = トークンなし（401）
    "mamoru_api_contacts_list": rule("GET", SIGNED_IN, note="見られる課の記録だけ（システム管理者は0件）"),
    "mamoru_api_contacts_create": rule(
        "POST", "login ok/400 ok/400 ok/400 ok 403", department="department", note="自課・他課 = 登録先の課"
    ),
    "mamoru_api_contacts_get": rule("GET", DEPARTMENT, contact_id="contact"),
    "mamoru_api_contacts_update": rule("PUT", DEPARTMENT, contact_id="contact"),
    "mamoru_api_contacts_evidence_add": rule(
        "POST", DEPARTMENT, contact_id="contact", note="通話録音装置などからの証拠の登録（multipart）"
    ),
    "mamoru_api_contacts_evidence_list": rule(
        "GET", DEPARTMENT, contact_id="contact", note="ファイルの情報のみ。職員は自分が登録したものだけ"
    ),
    "mamoru_api_residents_list": rule("GET", SIGNED_IN, note="システム管理者は0件"),
    "mamoru_api_residents_create": rule("POST", HANDLERS),
    "mamoru_api_residents_get": rule("GET", "login ok ok ok ok 404", resident_id="resident"),
    "mamoru_api_residents_contacts": rule("GET", "login ok ok ok ok 404", resident_id="resident"),
    # 反訳書（録音の証拠ごと。証拠を見られる人が読み、書く: evidence/permissions.py）
    "transcripts:transcript_edit": rule("GET POST", DEPARTMENT, pk="recording"),
    "transcripts:transcript_import": rule("POST", DEPARTMENT, pk="recording"),
    "transcripts:transcript_draft": rule("POST", DEPARTMENT, pk="recording"),
    "transcripts:transcript_history": rule("GET", DEPARTMENT, pk="recording"),
    "transcripts:transcript_pdf": rule("GET", DEPARTMENT, pk="recording"),
}
