"""Variant kanji (異体字・旧字体) folded to one form before names and addresses
are compared or read.

Names keep their registered forms (髙橋, 山﨑, 渡邊), but staff type the common
form (高橋, 山崎, 渡辺). Folding both sides to one form lets them compare
equal. The table maps each variant to the form in everyday use (常用漢字 where
there is one). It is written by hand: old forms (旧字体) of the 常用漢字 that
appear in names and place names, and the name variants (人名の異体字) seen on
registers. NFKC already folds most CJK compatibility ideographs (神 → 神);
the twelve that it leaves alone (﨑 﨑, 髙 is not one of them) are listed here.

Characters that are different characters, not variants, stay apart even when
people confuse them (斉/斎, 沢/択): a reading match catches those, as weaker
evidence.
"""

from __future__ import annotations

# Pairs "variant → common form", grouped for reading. Each line holds pairs of
# two characters separated by spaces.
_PAIRS = """
髙高 﨑崎 嵜崎 碕崎 邊辺 邉辺 邊辺 齋斎 齊斉 濱浜 濵浜 澤沢 櫻桜 廣広 國国 實実 眞真
德徳 曾曽 藏蔵 龍竜 惠恵 瀨瀬 冨富 嶋島 嶌島 槇槙 桒桑 舘館 峯峰 埜野 栁柳 桺柳 渕淵
凜凛 穗穂 煕熙 彥彦 晉晋 亙亘 恆恒 昻昂 曻昇 榮栄 淸清 瑤瑶 瀧滝 嶽岳 崗岡 鄕郷 巖巌
圓円 萬万 與与 壽寿 條条 蘆芦 蘓蘇 薮藪 桧檜 兒児 澁渋 邨村 驒騨 鷗鴎 賴頼 靜静 彌弥
禮礼 黑黒 來来 鐵鉄 髮髪 隆隆 琢琢 祐祐 禎禎 福福 神神 祥祥 淚涙 硏研 靑青 增増 層層
𠮷吉 吉吉 塚塚 德徳 徵徴 稻稲 莊荘 莖茎 豐豊 寬寛 謙謙 諸諸 猪猪 都都 朗朗 逸逸
亞亜 惡悪 壓圧 圍囲 醫医 爲為 壹壱 隱隠 營営 衞衛 驛駅 鹽塩 奧奥 溫温 價価 假仮 畫画
會会 懷懐 擴拡 覺覚 學学 樂楽 勸勧 卷巻 歡歓 觀観 關関 陷陥 顏顔 歸帰 氣気 龜亀 僞偽
戲戯 犧犠 舊旧 據拠 擧挙 峽峡 挾挟 狹狭 曉暁 區区 驅駆 勳勲 徑径 溪渓 經経 繼継 螢蛍
輕軽 鷄鶏 藝芸 儉倹 劍剣 圈圏 檢検 權権 獻献 縣県 險険 顯顕 驗験 嚴厳 效効 鑛鉱 號号
濟済 碎砕 劑剤 册冊 雜雑 參参 慘惨 棧桟 蠶蚕 贊賛 殘残 絲糸 辭辞 濕湿 舍舎 寫写 釋釈
收収 從従 獸獣 縱縦 肅粛 處処 緖緒 敍叙 將将 燒焼 稱称 證証 乘乗 剩剰 壤壌 孃嬢 淨浄
疊畳 讓譲 釀醸 觸触 寢寝 愼慎 盡尽 圖図 粹粋 醉酔 隨随 髓髄 數数 樞枢 聲声 攝摂 竊窃
專専 淺浅 戰戦 踐践 錢銭 潛潜 纖繊 禪禅 雙双 壯壮 爭争 搜捜 插挿 巢巣 裝装 總総 騷騒
臟臓 卽即 屬属 續続 墮堕 對対 體体 帶帯 滯滞 臺台 擇択 單単 擔担 膽胆 團団 彈弾 斷断
遲遅 晝昼 蟲虫 鑄鋳 廳庁 聽聴 敕勅 鎭鎮 遞逓 轉転 點点 傳伝 黨党 盜盗 燈灯 當当 鬭闘
獨独 讀読 屆届 繩縄 貳弐 惱悩 腦脳 霸覇 廢廃 拜拝 賣売 麥麦 發発 拔抜 蠻蛮 祕秘 甁瓶
拂払 佛仏 倂併 竝並 變変 辨弁 瓣弁 辯弁 舖舗 步歩 寶宝 沒没 飜翻 每毎 滿満 默黙 譯訳
藥薬 豫予 餘余 譽誉 搖揺 樣様 謠謡 亂乱 覽覧 兩両 獵猟 綠緑 壘塁 勵励 隸隷 靈霊 齡齢
戀恋 爐炉 勞労 樓楼 祿禄 錄録 灣湾 狀状 黃黄 廣広 嘗嘗 晄晃 曠昿
櫻桜 悳徳 淵淵 邇迩 遙遥 遥遥 槪概 歷歴 曆暦 纎繊 卄廿 巳巳 萠萌 冐冒 亰京 兔兎 冩写
户戸 戶戸 峩峨 嵓巌 岺嶺 嶹島 嶼嶼 塲場 埀垂 坂坂 阪阪 邦邦 堀堀 葛葛 辻辻 迫迫
逹達 逬迸 隣隣 鄰隣 舩船 舶舶 艸草 莱莱 萊莱 蔣蒋 藪藪 蠣蛎 蛎蛎 鰺鯵 鰛鰮 鱒鱒 鯛鯛
鴈雁 鶴鶴 鵞鵝 麪麺 麵麺 黒黒 默黙 鼈鼈 齒歯 齣齣 龝秋 穐秋 秌秋 甞嘗 畊耕 畝畝
皋皐 皐皐 睿叡 砺砺 礪砺 禰祢 祢祢 禱祷 穀穀 穎頴 頴頴 窗窓 窻窓 竈竃 筐筐 箟箆 篭籠
籾籾 粮糧 絅絅 綫線 綱綱 緜綿 縣県 繡繍 纒纏 聰聡 聦聡 肇肇 肈肇 舗舗 芦芦 苅刈 荊荊
莵菟 菴庵 萬万 蕐華 藁藁 蘂蕊 蘗蘖 虛虚 蟬蝉 衆衆 裵裴 覇覇 訛訛 詮詮 謌歌 讃讃 豎竪
賤賎 賎賎 躰体 軆体 輌輛 辧弁 辯弁 迺廼 逈迥 郎郎 鄉郷 醬醤 釀醸 鉅鉅 銕鉄 鋪舗
錆錆 鍊錬 鎌鎌 鎗槍 鐡鉄 閒間 閠閏 隄堤 雞鶏 靭靭 鞆鞆 頰頬 顚顛 飮飲 餠餅 餅餅
騷騒 驛駅 髙高 鬪闘 鰐鰐 鶯鴬 鷗鴎 鹼鹸 麤麁 黴黴 鼎鼎 齋斎 濤涛 廸迪 寳宝 嶋島
"""


def _build(pairs: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for pair in pairs.split():
        if len(pair) != 2 or pair[0] == pair[1]:
            continue
        table[pair[0]] = pair[1]
    # Resolve chains (a → b → c) so that one pass folds every form.
    for variant in list(table):
        seen = {variant}
        target = table[variant]
        while target in table and target not in seen:
            seen.add(target)
            target = table[target]
        table[variant] = target
    return table


VARIANTS: dict[str, str] = _build(_PAIRS)
_TRANSLATION = str.maketrans(VARIANTS)


def fold_variants(text: str) -> str:
    """``text`` with every variant kanji replaced by its common form."""
    return text.translate(_TRANSLATION)


def variants_in(text: str) -> list[str]:
    """The variant kanji in ``text``, in order, each once: for reasons shown to staff."""
    found: list[str] = []
    for char in text:
        if char in VARIANTS and char not in found:
            found.append(char)
    return found
