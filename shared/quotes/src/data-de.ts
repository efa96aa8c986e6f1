/**
 * German quotes. Every author died more than 70 years ago, so the texts are in the public domain;
 * only quotes whose attribution is well documented, with the work they come from.
 */
import { author } from './author.ts';

const goethe = author('Johann Wolfgang von Goethe', 1832, 'de');
const schiller = author('Friedrich Schiller', 1805, 'de');
const lessing = author('Gotthold Ephraim Lessing', 1781, 'de');
const kant = author('Immanuel Kant', 1804, 'de');
const nietzsche = author('Friedrich Nietzsche', 1900, 'de');
const heine = author('Heinrich Heine', 1856, 'de');
const lichtenberg = author('Georg Christoph Lichtenberg', 1799, 'de');
const schopenhauer = author('Arthur Schopenhauer', 1860, 'de');
const busch = author('Wilhelm Busch', 1908, 'de');
const ebner = author('Marie von Ebner-Eschenbach', 1916, 'de');
const morgenstern = author('Christian Morgenstern', 1914, 'de');
const rilke = author('Rainer Maria Rilke', 1926, 'de');
const kafka = author('Franz Kafka', 1924, 'de');
const hoelderlin = author('Friedrich Hölderlin', 1843, 'de');
const claudius = author('Matthias Claudius', 1815, 'de');
const eichendorff = author('Joseph von Eichendorff', 1857, 'de');
const buechner = author('Georg Büchner', 1837, 'de');
const fontane = author('Theodor Fontane', 1898, 'de');
const raabe = author('Wilhelm Raabe', 1910, 'de');
const novalis = author('Novalis', 1801, 'de');
const seume = author('Johann Gottfried Seume', 1810, 'de');
const humboldt = author('Wilhelm von Humboldt', 1835, 'de');
const clausewitz = author('Carl von Clausewitz', 1831, 'de');
const marx = author('Karl Marx', 1883, 'de');
const storm = author('Theodor Storm', 1888, 'de');
const friedrich = author('Friedrich II. von Preußen', 1786, 'de');

const FAUST_I = 'Faust. Der Tragödie erster Teil';
const FAUST_II = 'Faust. Der Tragödie zweiter Teil';
const LEHRJAHRE = 'Wilhelm Meisters Lehrjahre';
const WANDERJAHRE = 'Wilhelm Meisters Wanderjahre';
const TELL = 'Wilhelm Tell';
const GLOCKE = 'Das Lied von der Glocke';
const NATHAN = 'Nathan der Weise';
const AUFKLAERUNG = 'Beantwortung der Frage: Was ist Aufklärung?';
const GRUNDLEGUNG = 'Grundlegung zur Metaphysik der Sitten';
const GOETZEN = 'Götzen-Dämmerung';
const JENSEITS = 'Jenseits von Gut und Böse';
const ZARATHUSTRA = 'Also sprach Zarathustra';
const BUCH_DER_LIEDER = 'Buch der Lieder';
const SUDEL = 'Sudelbücher';
const PARERGA = 'Parerga und Paralipomena';
const MAX_MORITZ = 'Max und Moritz';
const HELENE = 'Die fromme Helene';
const APHORISMEN = 'Aphorismen';
const GALGENLIEDER = 'Galgenlieder';
const ZUERAU = 'Betrachtungen über Sünde, Leid, Hoffnung und den wahren Weg';

export const GERMAN_QUOTES = [
  // Goethe
  goethe('Es irrt der Mensch, solang er strebt.', FAUST_I, 1808, ['wisdom', 'life']),
  goethe('Wer immer strebend sich bemüht, den können wir erlösen.', FAUST_II, 1832, ['motivation']),
  goethe('Zwei Seelen wohnen, ach! in meiner Brust.', FAUST_I, 1808, ['life']),
  goethe('Grau, teurer Freund, ist alle Theorie, und grün des Lebens goldner Baum.', FAUST_I, 1808, [
    'life',
    'learning',
  ]),
  goethe('Das also war des Pudels Kern!', FAUST_I, 1808, ['humor']),
  goethe('Da steh ich nun, ich armer Tor! Und bin so klug als wie zuvor.', FAUST_I, 1808, [
    'learning',
    'humor',
  ]),
  goethe('Was du ererbt von deinen Vätern hast, erwirb es, um es zu besitzen.', FAUST_I, 1808, [
    'wisdom',
    'work',
  ]),
  goethe('Werd ich zum Augenblicke sagen: Verweile doch! du bist so schön!', FAUST_I, 1808, [
    'happiness',
    'time',
  ]),
  goethe('Name ist Schall und Rauch.', FAUST_I, 1808, ['wisdom']),
  goethe('Blut ist ein ganz besondrer Saft.', FAUST_I, 1808, ['humor']),
  goethe('Das Ewig-Weibliche zieht uns hinan.', FAUST_II, 1832, ['love']),
  goethe('Edel sei der Mensch, hilfreich und gut!', 'Das Göttliche', 1783, ['wisdom']),
  goethe(
    'Es ist nicht genug, zu wissen, man muß auch anwenden; es ist nicht genug, zu wollen, man muß auch tun.',
    WANDERJAHRE,
    1829,
    ['motivation', 'work'],
  ),
  goethe('Die Botschaft hör ich wohl, allein mir fehlt der Glaube.', FAUST_I, 1808, ['humor']),
  goethe(
    'Willst du immer weiter schweifen? Sieh, das Gute liegt so nah. Lerne nur das Glück ergreifen, denn das Glück ist immer da.',
    'Erinnerung',
    undefined,
    ['happiness'],
  ),
  goethe('Über allen Gipfeln ist Ruh.', 'Wandrers Nachtlied', 1780, ['nature']),
  goethe('Kennst du das Land, wo die Zitronen blühn?', LEHRJAHRE, 1795, ['nature']),
  goethe('Nur wer die Sehnsucht kennt, weiß, was ich leide!', LEHRJAHRE, 1795, ['love']),
  goethe('Wer sich der Einsamkeit ergibt, ach! der ist bald allein.', LEHRJAHRE, 1795, [
    'life',
    'friendship',
  ]),
  goethe('Die ich rief, die Geister, werd ich nun nicht los.', 'Der Zauberlehrling', 1797, ['humor']),
  goethe('Ein unnütz Leben ist ein früher Tod.', 'Iphigenie auf Tauris', 1787, ['life', 'work']),
  goethe(
    'Es bildet ein Talent sich in der Stille, sich ein Charakter in dem Strom der Welt.',
    'Torquato Tasso',
    1790,
    ['wisdom', 'learning'],
  ),
  goethe('Erlaubt ist, was sich ziemt.', 'Torquato Tasso', 1790, ['wisdom']),
  goethe('Wenn ihr’s nicht fühlt, ihr werdet’s nicht erjagen.', FAUST_I, 1808, ['wisdom']),
  goethe(
    'Ich bin ein Teil von jener Kraft, die stets das Böse will und stets das Gute schafft.',
    FAUST_I,
    1808,
    ['wisdom'],
  ),
  goethe('Ich bin der Geist, der stets verneint!', FAUST_I, 1808, ['humor']),
  goethe('Hier bin ich Mensch, hier darf ich’s sein!', FAUST_I, 1808, ['happiness', 'life']),
  goethe(
    'Vom Eise befreit sind Strom und Bäche durch des Frühlings holden, belebenden Blick.',
    FAUST_I,
    1808,
    ['nature'],
  ),
  goethe('Wo viel Licht ist, ist starker Schatten.', 'Götz von Berlichingen', 1773, ['wisdom']),
  goethe('Die Tat ist alles, nichts der Ruhm.', FAUST_II, 1832, ['work', 'motivation']),
  goethe('Im Anfang war die Tat!', FAUST_I, 1808, ['motivation']),
  goethe(
    'Eines schickt sich nicht für alle! Sehe jeder, wie er’s treibe, sehe jeder, wo er bleibe, und wer steht, daß er nicht falle!',
    'Beherzigung',
    1789,
    ['wisdom'],
  ),
  goethe(
    'Allen Gewalten zum Trutz sich erhalten, nimmer sich beugen, kräftig sich zeigen, rufet die Arme der Götter herbei!',
    'Lila',
    1777,
    ['courage', 'motivation'],
  ),
  goethe('Das Leben gehört den Lebendigen an, und wer lebt, muß auf Wechsel gefaßt sein.', LEHRJAHRE, 1795, [
    'life',
  ]),
  goethe(
    'Himmelhoch jauchzend, zum Tode betrübt; glücklich allein ist die Seele, die liebt.',
    'Egmont',
    1788,
    ['love', 'happiness'],
  ),
  goethe(
    'Ein guter Mensch, in seinem dunklen Drange, ist sich des rechten Weges wohl bewußt.',
    FAUST_I,
    1808,
    ['wisdom'],
  ),
  goethe('Der Worte sind genug gewechselt, laßt mich auch endlich Taten sehn!', FAUST_I, 1808, [
    'work',
    'motivation',
  ]),
  goethe('Wer vieles bringt, wird manchem etwas bringen.', FAUST_I, 1808, ['work']),
  goethe(
    'Was glänzt, ist für den Augenblick geboren; das Echte bleibt der Nachwelt unverloren.',
    FAUST_I,
    1808,
    ['wisdom', 'time'],
  ),
  goethe(
    'Gebraucht der Zeit, sie geht so schnell von hinnen, doch Ordnung lehrt Euch Zeit gewinnen.',
    FAUST_I,
    1808,
    ['time', 'work'],
  ),
  goethe(
    'Tages Arbeit! Abends Gäste! Saure Wochen! Frohe Feste! Sei dein künftig Zauberwort.',
    'Der Schatzgräber',
    1797,
    ['work', 'happiness'],
  ),
  goethe('Ich hab mein Sach auf nichts gestellt.', 'Vanitas! vanitatum vanitas!', 1806, ['life', 'humor']),
  goethe(
    'Alles Gescheite ist schon gedacht worden; man muß nur versuchen, es noch einmal zu denken.',
    WANDERJAHRE,
    1829,
    ['learning'],
  ),
  goethe(
    'Die Natur versteht gar keinen Spaß; sie ist immer wahr, immer ernst, immer strenge; sie hat immer recht, und die Fehler und Irrtümer sind immer des Menschen.',
    'Gespräche mit Eckermann',
    1836,
    ['nature'],
  ),
  goethe(
    'Alles in der Welt läßt sich ertragen, nur nicht eine Reihe von schönen Tagen.',
    'Sprichwörtlich',
    1815,
    ['happiness', 'humor'],
  ),
  goethe('Vernunft wird Unsinn, Wohltat Plage.', FAUST_I, 1808, ['wisdom']),
  goethe('Es erben sich Gesetz’ und Rechte wie eine ew’ge Krankheit fort.', FAUST_I, 1808, ['wisdom']),

  // Schiller
  schiller('Die Axt im Haus erspart den Zimmermann.', TELL, 1804, ['humor', 'work']),
  schiller('Früh übt sich, was ein Meister werden will.', TELL, 1804, ['learning', 'work']),
  schiller('Der kluge Mann baut vor.', TELL, 1804, ['wisdom']),
  schiller(
    'Es kann der Frömmste nicht im Frieden bleiben, wenn es dem bösen Nachbar nicht gefällt.',
    TELL,
    1804,
    ['wisdom'],
  ),
  schiller('Wir wollen sein ein einzig Volk von Brüdern, in keiner Not uns trennen und Gefahr.', TELL, 1804, [
    'freedom',
    'friendship',
  ]),
  schiller('Der Starke ist am mächtigsten allein.', TELL, 1804, ['courage']),
  schiller('Verbunden werden auch die Schwachen mächtig.', TELL, 1804, ['friendship']),
  schiller('Wer gar zu viel bedenkt, wird wenig leisten.', TELL, 1804, ['motivation', 'work']),
  schiller('Ernst ist das Leben, heiter ist die Kunst.', 'Wallenstein, Prolog', 1798, ['life']),
  schiller(
    'Im engen Kreis verengert sich der Sinn, es wächst der Mensch mit seinen größern Zwecken.',
    'Wallenstein, Prolog',
    1798,
    ['motivation'],
  ),
  schiller(
    'Und setzet ihr nicht das Leben ein, nie wird euch das Leben gewonnen sein.',
    'Wallensteins Lager',
    1798,
    ['courage'],
  ),
  schiller('Spät kommt Ihr – doch Ihr kommt!', 'Die Piccolomini', 1799, ['time', 'humor']),
  schiller(
    'Das eben ist der Fluch der bösen Tat, daß sie, fortzeugend, immer Böses muß gebären.',
    'Die Piccolomini',
    1799,
    ['wisdom'],
  ),
  schiller('Die Uhr schlägt keinem Glücklichen.', 'Die Piccolomini', 1799, ['happiness', 'time']),
  schiller('Es ist der Geist, der sich den Körper baut.', 'Wallensteins Tod', 1799, ['wisdom']),
  schiller(
    'Leicht beieinander wohnen die Gedanken, doch hart im Raume stoßen sich die Sachen.',
    'Wallensteins Tod',
    1799,
    ['wisdom'],
  ),
  schiller('Sire, geben Sie Gedankenfreiheit!', 'Don Carlos', 1787, ['freedom']),
  schiller('Die schönen Tage in Aranjuez sind nun zu Ende.', 'Don Carlos', 1787, ['time']),
  schiller('Mit der Dummheit kämpfen Götter selbst vergebens.', 'Die Jungfrau von Orleans', 1801, [
    'humor',
    'wisdom',
  ]),
  schiller('Freude, schöner Götterfunken, Tochter aus Elysium.', 'An die Freude', 1786, ['happiness']),
  schiller('Alle Menschen werden Brüder, wo dein sanfter Flügel weilt.', 'An die Freude', 1803, [
    'friendship',
    'happiness',
  ]),
  schiller(
    'Drum prüfe, wer sich ewig bindet, ob sich das Herz zum Herzen findet! Der Wahn ist kurz, die Reu ist lang.',
    GLOCKE,
    1799,
    ['love', 'wisdom'],
  ),
  schiller('Von der Stirne heiß rinnen muß der Schweiß, soll das Werk den Meister loben.', GLOCKE, 1799, [
    'work',
  ]),
  schiller(
    'Gefährlich ist’s, den Leu zu wecken, verderblich ist des Tigers Zahn, jedoch der schrecklichste der Schrecken, das ist der Mensch in seinem Wahn.',
    GLOCKE,
    1799,
    ['wisdom'],
  ),
  schiller(
    'Der Mensch spielt nur, wo er in voller Bedeutung des Worts Mensch ist, und er ist nur da ganz Mensch, wo er spielt.',
    'Über die ästhetische Erziehung des Menschen',
    1795,
    ['life', 'happiness'],
  ),
  schiller('Dem Mann kann geholfen werden.', 'Die Räuber', 1781, ['humor']),
  schiller(
    'Der Mensch ist frei geschaffen, ist frei, und würd er in Ketten geboren.',
    'Die Worte des Glaubens',
    1797,
    ['freedom'],
  ),
  schiller('Ich sei, gewährt mir die Bitte, in eurem Bunde der Dritte!', 'Die Bürgschaft', 1798, [
    'friendship',
  ]),
  schiller('Und die Treue, sie ist doch kein leerer Wahn.', 'Die Bürgschaft', 1798, ['friendship']),
  schiller(
    'Was ist die Mehrheit? Mehrheit ist der Unsinn, Verstand ist stets bei wen’gen nur gewesen.',
    'Demetrius',
    1805,
    ['wisdom'],
  ),
  schiller('Die Weltgeschichte ist das Weltgericht.', 'Resignation', 1786, ['wisdom']),
  schiller('Was man von der Minute ausgeschlagen, gibt keine Ewigkeit zurück.', 'Resignation', 1786, [
    'time',
    'motivation',
  ]),
  schiller('Raum ist in der kleinsten Hütte für ein glücklich liebend Paar.', 'Der Jüngling am Bache', 1803, [
    'love',
  ]),
  schiller(
    'Es ist nicht draußen, da sucht es der Tor; es ist in dir, du bringst es ewig hervor.',
    'Die Worte des Wahns',
    1799,
    ['happiness', 'wisdom'],
  ),
  schiller(
    'Vor dem Sklaven, wenn er die Kette bricht, vor dem freien Menschen erzittert nicht!',
    'Die Worte des Glaubens',
    1797,
    ['freedom'],
  ),

  // Lessing
  lessing('Kein Mensch muß müssen.', NATHAN, 1779, ['freedom']),
  lessing(
    'Wer über gewisse Dinge den Verstand nicht verliert, der hat keinen zu verlieren.',
    'Emilia Galotti',
    1772,
    ['wisdom'],
  ),
  lessing(
    'Der Aberglaub’, in dem wir aufgewachsen, verliert, auch wenn wir ihn erkennen, darum doch seine Macht nicht über uns.',
    NATHAN,
    1779,
    ['wisdom'],
  ),
  lessing(
    'Nicht die Wahrheit, in deren Besitz irgendein Mensch ist oder zu sein vermeinet, sondern die aufrichtige Mühe, die er angewandt hat, hinter die Wahrheit zu kommen, macht den Wert des Menschen.',
    'Eine Duplik',
    1778,
    ['learning', 'wisdom'],
  ),
  lessing('Sind Christ und Jude eher Christ und Jude als Mensch?', NATHAN, 1779, ['wisdom', 'friendship']),
  lessing('Es eifre jeder seiner unbestochnen, von Vorurteilen freien Liebe nach!', NATHAN, 1779, [
    'love',
    'wisdom',
  ]),
  lessing(
    'Ein einziger dankbarer Gedanke gen Himmel ist das vollkommenste Gebet!',
    'Minna von Barnhelm',
    1767,
    ['happiness'],
  ),

  // Kant
  kant(
    'Aufklärung ist der Ausgang des Menschen aus seiner selbstverschuldeten Unmündigkeit.',
    AUFKLAERUNG,
    1784,
    ['freedom', 'learning'],
  ),
  kant('Sapere aude! Habe Mut, dich deines eigenen Verstandes zu bedienen!', AUFKLAERUNG, 1784, [
    'courage',
    'learning',
  ]),
  kant('Es ist so bequem, unmündig zu sein.', AUFKLAERUNG, 1784, ['freedom', 'humor']),
  kant(
    'Zwei Dinge erfüllen das Gemüt mit immer neuer und zunehmender Bewunderung und Ehrfurcht, je öfter und anhaltender sich das Nachdenken damit beschäftigt: der bestirnte Himmel über mir und das moralische Gesetz in mir.',
    'Kritik der praktischen Vernunft',
    1788,
    ['nature', 'wisdom'],
  ),
  kant(
    'Handle nur nach derjenigen Maxime, durch die du zugleich wollen kannst, daß sie ein allgemeines Gesetz werde.',
    GRUNDLEGUNG,
    1785,
    ['wisdom'],
  ),
  kant(
    'Handle so, daß du die Menschheit, sowohl in deiner Person, als in der Person eines jeden andern, jederzeit zugleich als Zweck, niemals bloß als Mittel brauchest.',
    GRUNDLEGUNG,
    1785,
    ['wisdom'],
  ),
  kant(
    'Aus so krummem Holze, als woraus der Mensch gemacht ist, kann nichts ganz Gerades gezimmert werden.',
    'Idee zu einer allgemeinen Geschichte in weltbürgerlicher Absicht',
    1784,
    ['wisdom', 'life'],
  ),
  kant(
    'Gedanken ohne Inhalt sind leer, Anschauungen ohne Begriffe sind blind.',
    'Kritik der reinen Vernunft',
    1781,
    ['learning'],
  ),

  // Nietzsche
  nietzsche(
    'Aus der Kriegsschule des Lebens. – Was mich nicht umbringt, macht mich stärker.',
    GOETZEN,
    1889,
    ['courage', 'motivation'],
  ),
  nietzsche('Ohne Musik wäre das Leben ein Irrtum.', GOETZEN, 1889, ['life', 'happiness']),
  nietzsche('Hat man sein warum? des Lebens, so verträgt man sich fast mit jedem wie?', GOETZEN, 1889, [
    'motivation',
  ]),
  nietzsche('Nur die ergangenen Gedanken haben Werth.', GOETZEN, 1889, ['wisdom', 'nature']),
  nietzsche(
    'Wer mit Ungeheuern kämpft, mag zusehn, dass er nicht dabei zum Ungeheuer wird. Und wenn du lange in einen Abgrund blickst, blickt der Abgrund auch in dich hinein.',
    JENSEITS,
    1886,
    ['wisdom'],
  ),
  nietzsche('Alles, was aus Liebe gethan wird, geschieht immer jenseits von Gut und Böse.', JENSEITS, 1886, [
    'love',
  ]),
  nietzsche(
    'Der Irrsinn ist bei Einzelnen etwas Seltenes, – aber bei Gruppen, Parteien, Völkern, Zeiten die Regel.',
    JENSEITS,
    1886,
    ['wisdom', 'humor'],
  ),
  nietzsche(
    'Wer von Grund aus Lehrer ist, nimmt alle Dinge nur in Bezug auf seine Schüler ernst, – sogar sich selbst.',
    JENSEITS,
    1886,
    ['learning', 'humor'],
  ),
  nietzsche('Man liebt zuletzt seine Begierde, und nicht das Begehrte.', JENSEITS, 1886, ['love']),
  nietzsche(
    'Man muss noch Chaos in sich haben, um einen tanzenden Stern gebären zu können.',
    ZARATHUSTRA,
    1883,
    ['motivation', 'life'],
  ),
  nietzsche(
    'Der Mensch ist ein Seil, geknüpft zwischen Thier und Übermensch, – ein Seil über einem Abgrunde.',
    ZARATHUSTRA,
    1883,
    ['life'],
  ),
  nietzsche('Es ist mehr Vernunft in deinem Leibe, als in deiner besten Weisheit.', ZARATHUSTRA, 1883, [
    'wisdom',
  ]),
  nietzsche(
    'Das Geheimniss, um die grösste Fruchtbarkeit und den grössten Genuss vom Dasein einzuernten, heisst: gefährlich leben!',
    'Die fröhliche Wissenschaft',
    1882,
    ['courage', 'life'],
  ),
  nietzsche('Mitfreude, nicht Mitleiden, macht den Freund.', 'Menschliches, Allzumenschliches', 1878, [
    'friendship',
  ]),

  // Heine
  heine('Denk ich an Deutschland in der Nacht, dann bin ich um den Schlaf gebracht.', 'Nachtgedanken', 1844, [
    'life',
  ]),
  heine(
    'Das war ein Vorspiel nur, dort wo man Bücher verbrennt, verbrennt man auch am Ende Menschen.',
    'Almansor',
    1821,
    ['freedom', 'wisdom'],
  ),
  heine('Ich weiß nicht, was soll es bedeuten, daß ich so traurig bin.', BUCH_DER_LIEDER, 1827, ['life']),
  heine('Es ist eine alte Geschichte, doch bleibt sie immer neu.', BUCH_DER_LIEDER, 1827, ['love']),
  heine(
    'Im wunderschönen Monat Mai, als alle Knospen sprangen, da ist in meinem Herzen die Liebe aufgegangen.',
    BUCH_DER_LIEDER,
    1827,
    ['love', 'nature'],
  ),
  heine('Ein Fichtenbaum steht einsam im Norden auf kahler Höh.', BUCH_DER_LIEDER, 1827, ['nature']),
  heine(
    'Das Fräulein stand am Meere und seufzte lang und bang, es rührte sie so sehre der Sonnenuntergang.',
    'Neue Gedichte',
    1844,
    ['humor', 'nature'],
  ),

  // Lichtenberg (the notebooks, printed after his death)
  lichtenberg(
    'Ich weiß nicht, ob es besser wird, wenn es anders wird. Aber so viel kann ich sagen: es muß anders werden, wenn es gut werden soll.',
    SUDEL,
    undefined,
    ['motivation', 'wisdom'],
  ),
  lichtenberg(
    'Wenn ein Buch und ein Kopf zusammenstoßen und es klingt hohl, ist das allemal im Buch?',
    SUDEL,
    undefined,
    ['humor', 'learning'],
  ),
  lichtenberg(
    'Es ist fast unmöglich, die Fackel der Wahrheit durch ein Gedränge zu tragen, ohne jemandem den Bart zu sengen.',
    SUDEL,
    undefined,
    ['wisdom'],
  ),
  lichtenberg('Man muß etwas Neues machen, um etwas Neues zu sehen.', SUDEL, undefined, [
    'learning',
    'motivation',
  ]),
  lichtenberg(
    'Ein Messer ohne Klinge, an welchem der Stiel fehlt.',
    'Verzeichnis einer Sammlung von Gerätschaften',
    1798,
    ['humor'],
  ),
  lichtenberg('Der Esel kommt mir vor wie ein Pferd ins Holländische übersetzt.', SUDEL, undefined, [
    'humor',
  ]),
  lichtenberg(
    'Er las immer Agamemnon statt angenommen, so sehr hatte er den Homer gelesen.',
    SUDEL,
    undefined,
    ['humor', 'learning'],
  ),
  lichtenberg(
    'Zweifle an allem wenigstens einmal, und wäre es auch der Satz: zweimal zwei ist vier.',
    SUDEL,
    undefined,
    ['learning'],
  ),
  lichtenberg(
    'Was jedermann für ausgemacht hält, verdient am meisten untersucht zu werden.',
    SUDEL,
    undefined,
    ['learning', 'wisdom'],
  ),
  lichtenberg(
    'Der Amerikaner, der den Kolumbus zuerst entdeckte, machte eine böse Entdeckung.',
    SUDEL,
    undefined,
    ['humor'],
  ),
  lichtenberg(
    'Die Neigung der Menschen, kleine Dinge für wichtig zu halten, hat sehr viel Großes hervorgebracht.',
    SUDEL,
    undefined,
    ['wisdom'],
  ),
  lichtenberg(
    'Man spricht viel vom Aufklären und wünscht mehr Licht. Mein Gott, was hilft aber alles Licht, wenn die Leute entweder keine Augen haben, oder die, die sie haben, vorsätzlich verschließen?',
    SUDEL,
    undefined,
    ['learning'],
  ),

  // Schopenhauer
  schopenhauer('Das Schicksal mischt die Karten, und wir spielen.', 'Aphorismen zur Lebensweisheit', 1851, [
    'life',
  ]),
  schopenhauer(
    'Die Gesundheit überwiegt alle äußern Güter so sehr, daß wahrlich ein gesunder Bettler glücklicher ist als ein kranker König.',
    'Aphorismen zur Lebensweisheit',
    1851,
    ['happiness'],
  ),
  schopenhauer(
    'Der Mensch kann tun, was er will; er kann aber nicht wollen, was er will.',
    'Preisschrift über die Freiheit des Willens',
    1839,
    ['freedom', 'wisdom'],
  ),
  schopenhauer('Lesen heißt mit einem fremden Kopfe, statt des eigenen, denken.', PARERGA, 1851, [
    'learning',
  ]),

  // Wilhelm Busch
  busch('Vater werden ist nicht schwer, Vater sein dagegen sehr.', 'Julchen', 1877, ['humor', 'life']),
  busch('Es ist ein Brauch von alters her: Wer Sorgen hat, hat auch Likör!', HELENE, 1872, ['humor']),
  busch('Das Gute – dieser Satz steht fest – ist stets das Böse, was man läßt!', HELENE, 1872, [
    'humor',
    'wisdom',
  ]),
  busch('Dieses war der erste Streich, doch der zweite folgt sogleich.', MAX_MORITZ, 1865, ['humor']),
  busch('Ach, was muß man oft von bösen Kindern hören oder lesen!', MAX_MORITZ, 1865, ['humor']),
  busch('Aber wehe, wehe, wehe! Wenn ich auf das Ende sehe!', MAX_MORITZ, 1865, ['humor']),
  busch('Musik wird störend oft empfunden, dieweil sie mit Geräusch verbunden.', 'Dideldum!', 1874, [
    'humor',
  ]),

  // Marie von Ebner-Eschenbach
  ebner('Wer nichts weiß, muß alles glauben.', APHORISMEN, 1880, ['learning']),
  ebner('Wenn die Zeit kommt, in der man könnte, ist die vorüber, in der man kann.', APHORISMEN, 1880, [
    'time',
    'motivation',
  ]),
  ebner(
    'Nicht was wir erleben, sondern wie wir empfinden, was wir erleben, macht unser Schicksal aus.',
    APHORISMEN,
    1880,
    ['life'],
  ),
  ebner('Die glücklichen Sklaven sind die erbittertsten Feinde der Freiheit.', APHORISMEN, 1880, ['freedom']),
  ebner('Wer nicht genießt, wird ungenießbar.', APHORISMEN, 1880, ['humor', 'happiness']),
  ebner(
    'Man bleibt jung, solange man noch lernen, neue Gewohnheiten annehmen und Widerspruch ertragen kann.',
    APHORISMEN,
    1880,
    ['learning', 'life'],
  ),
  ebner('Ein Urteil läßt sich widerlegen, aber niemals ein Vorurteil.', APHORISMEN, 1880, ['wisdom']),
  ebner(
    'Wir sind so eitel, daß uns sogar an der Meinung der Leute, an denen uns nichts liegt, etwas gelegen ist.',
    APHORISMEN,
    1880,
    ['humor', 'wisdom'],
  ),
  ebner(
    'Wenn es einen Glauben gibt, der Berge versetzen kann, so ist es der Glaube an die eigene Kraft.',
    APHORISMEN,
    1880,
    ['motivation', 'courage'],
  ),
  ebner('Das Alter verklärt oder versteinert.', APHORISMEN, 1880, ['life', 'time']),
  ebner('Der Zufall ist die in Schleier gehüllte Notwendigkeit.', APHORISMEN, 1880, ['wisdom']),
  ebner('Vertrauen ist Mut, und Treue ist Kraft.', APHORISMEN, 1880, ['friendship', 'courage']),

  // Christian Morgenstern
  morgenstern('Weil, so schließt er messerscharf, nicht sein kann, was nicht sein darf.', 'Palmström', 1910, [
    'humor',
    'wisdom',
  ]),
  morgenstern('Es war einmal ein Lattenzaun, mit Zwischenraum, hindurchzuschaun.', GALGENLIEDER, 1905, [
    'humor',
  ]),
  morgenstern('Ein Wiesel saß auf einem Kiesel inmitten Bachgeriesel.', GALGENLIEDER, 1905, [
    'humor',
    'nature',
  ]),
  morgenstern('Die Möwen sehen alle aus, als ob sie Emma hießen.', GALGENLIEDER, 1905, ['humor', 'nature']),
  morgenstern('Ein Knie geht einsam durch die Welt. Es ist ein Knie, sonst nichts.', GALGENLIEDER, 1905, [
    'humor',
  ]),

  // Rilke
  rilke(
    'Haben Sie Geduld gegen alles Ungelöste in Ihrem Herzen und versuchen Sie, die Fragen selbst liebzuhaben.',
    'Briefe an einen jungen Dichter',
    1929,
    ['life', 'wisdom'],
  ),
  rilke('Herr: es ist Zeit. Der Sommer war sehr groß.', 'Das Buch der Bilder', 1902, ['nature', 'time']),
  rilke(
    'Wer jetzt kein Haus hat, baut sich keines mehr. Wer jetzt allein ist, wird es lange bleiben.',
    'Das Buch der Bilder',
    1902,
    ['life'],
  ),
  rilke(
    'Ihm ist, als ob es tausend Stäbe gäbe und hinter tausend Stäben keine Welt.',
    'Neue Gedichte',
    1907,
    ['freedom'],
  ),
  rilke('Du mußt dein Leben ändern.', 'Der neuen Gedichte anderer Teil', 1908, ['motivation']),
  rilke(
    'Ich lebe mein Leben in wachsenden Ringen, die sich über die Dinge ziehn.',
    'Das Stunden-Buch',
    1905,
    ['life'],
  ),

  // Kafka
  kafka('Ein Buch muß die Axt sein für das gefrorene Meer in uns.', 'Brief an Oskar Pollak', 1904, [
    'learning',
  ]),
  kafka(
    'Als Gregor Samsa eines Morgens aus unruhigen Träumen erwachte, fand er sich in seinem Bett zu einem ungeheueren Ungeziefer verwandelt.',
    'Die Verwandlung',
    1915,
    ['life'],
  ),
  kafka(
    'Jemand mußte Josef K. verleumdet haben, denn ohne daß er etwas Böses getan hätte, wurde er eines Morgens verhaftet.',
    'Der Process',
    1925,
    ['life'],
  ),
  kafka(
    'Von einem gewissen Punkt an gibt es keine Rückkehr mehr. Dieser Punkt ist zu erreichen.',
    ZUERAU,
    undefined,
    ['motivation'],
  ),
  kafka('Es gibt ein Ziel, aber keinen Weg; was wir Weg nennen, ist Zögern.', ZUERAU, undefined, [
    'life',
    'wisdom',
  ]),
  kafka('Ein Käfig ging einen Vogel suchen.', ZUERAU, undefined, ['freedom']),

  // Hölderlin
  hoelderlin('Wo aber Gefahr ist, wächst das Rettende auch.', 'Patmos', 1803, ['courage', 'motivation']),
  hoelderlin('Der Mensch ist ein Gott, wenn er träumt, ein Bettler, wenn er nachdenkt.', 'Hyperion', 1797, [
    'life',
  ]),
  hoelderlin(
    'Immerhin hat das den Staat zur Hölle gemacht, daß ihn der Mensch zu seinem Himmel machen wollte.',
    'Hyperion',
    1797,
    ['freedom', 'wisdom'],
  ),
  hoelderlin('Was bleibet aber, stiften die Dichter.', 'Andenken', 1803, ['wisdom']),

  // Others
  claudius('Wenn jemand eine Reise tut, so kann er was erzählen.', 'Urians Reise um die Welt', 1786, [
    'humor',
    'life',
  ]),
  claudius(
    'Der Mond ist aufgegangen, die goldnen Sternlein prangen am Himmel hell und klar.',
    'Abendlied',
    1779,
    ['nature'],
  ),
  claudius(
    'Der Wald steht schwarz und schweiget, und aus den Wiesen steiget der weiße Nebel wunderbar.',
    'Abendlied',
    1779,
    ['nature'],
  ),
  eichendorff(
    'Schläft ein Lied in allen Dingen, die da träumen fort und fort, und die Welt hebt an zu singen, triffst du nur das Zauberwort.',
    'Wünschelrute',
    1835,
    ['nature'],
  ),
  eichendorff(
    'Wem Gott will rechte Gunst erweisen, den schickt er in die weite Welt.',
    'Aus dem Leben eines Taugenichts',
    1826,
    ['life', 'nature'],
  ),
  eichendorff('Es war, als hätt’ der Himmel die Erde still geküßt.', 'Mondnacht', 1837, ['nature', 'love']),
  buechner('Friede den Hütten! Krieg den Palästen!', 'Der Hessische Landbote', 1834, ['freedom']),
  buechner('Jeder Mensch ist ein Abgrund; es schwindelt einem, wenn man hinabsieht.', 'Woyzeck', 1879, [
    'life',
  ]),
  fontane('Das ist ein weites Feld.', 'Effi Briest', 1895, ['humor', 'wisdom']),
  fontane(
    'Herr von Ribbeck auf Ribbeck im Havelland, ein Birnbaum in seinem Garten stand.',
    'Herr von Ribbeck auf Ribbeck im Havelland',
    1889,
    ['nature'],
  ),
  raabe('Sieh nach den Sternen! Gib acht auf die Gassen!', 'Die Leute aus dem Walde', 1863, ['wisdom']),
  novalis('Wo gehn wir denn hin? Immer nach Hause.', 'Heinrich von Ofterdingen', 1802, ['life']),
  seume(
    'Wo man singet, laß dich ruhig nieder, ohne Furcht, was man im Lande glaubt; wo man singet, wird kein Mensch beraubt: Bösewichter haben keine Lieder.',
    'Die Gesänge',
    1804,
    ['happiness', 'friendship'],
  ),
  humboldt(
    'Im Grunde sind es immer die Verbindungen mit Menschen, die dem Leben seinen Wert geben.',
    'Briefe an eine Freundin',
    1847,
    ['friendship', 'life'],
  ),
  clausewitz('Der Krieg ist eine bloße Fortsetzung der Politik mit anderen Mitteln.', 'Vom Kriege', 1832, [
    'wisdom',
  ]),
  marx(
    'Die Philosophen haben die Welt nur verschieden interpretiert; es kommt aber darauf an, sie zu verändern.',
    'Thesen über Feuerbach',
    1888,
    ['motivation', 'work'],
  ),
  storm('Am grauen Strand, am grauen Meer und seitab liegt die Stadt.', 'Die Stadt', 1852, ['nature']),
  friedrich('Hier muß ein jeder nach seiner Façon selig werden.', 'Randbemerkung', 1740, ['freedom']),
];
