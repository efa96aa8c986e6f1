/**
 * English quotes. Every author died more than 70 years ago, so the texts are in the public domain;
 * only quotes whose attribution is well documented (many quotes passed around under Twain's,
 * Lincoln's or Franklin's name are not theirs and are left out), with the work they come from.
 */
import { author } from './author.ts';

const shakespeare = author('William Shakespeare', 1616, 'en');
const austen = author('Jane Austen', 1817, 'en');
const dickens = author('Charles Dickens', 1870, 'en');
const twain = author('Mark Twain', 1910, 'en');
const franklin = author('Benjamin Franklin', 1790, 'en');
const emerson = author('Ralph Waldo Emerson', 1882, 'en');
const thoreau = author('Henry David Thoreau', 1862, 'en');
const wilde = author('Oscar Wilde', 1900, 'en');
const lincoln = author('Abraham Lincoln', 1865, 'en');
const johnson = author('Samuel Johnson', 1784, 'en');
const pope = author('Alexander Pope', 1744, 'en');
const bacon = author('Francis Bacon', 1626, 'en');
const donne = author('John Donne', 1631, 'en');
const milton = author('John Milton', 1674, 'en');
const keats = author('John Keats', 1821, 'en');
const wordsworth = author('William Wordsworth', 1850, 'en');
const shelley = author('Percy Bysshe Shelley', 1822, 'en');
const byron = author('Lord Byron', 1824, 'en');
const tennyson = author('Alfred, Lord Tennyson', 1892, 'en');
const browning = author('Robert Browning', 1889, 'en');
const ebBrowning = author('Elizabeth Barrett Browning', 1861, 'en');
const whitman = author('Walt Whitman', 1892, 'en');
const dickinson = author('Emily Dickinson', 1886, 'en');
const longfellow = author('Henry Wadsworth Longfellow', 1882, 'en');
const poe = author('Edgar Allan Poe', 1849, 'en');
const carroll = author('Lewis Carroll', 1898, 'en');
const stevenson = author('Robert Louis Stevenson', 1894, 'en');
const kipling = author('Rudyard Kipling', 1936, 'en');
const shaw = author('George Bernard Shaw', 1950, 'en');
const chesterton = author('G. K. Chesterton', 1936, 'en');
const jefferson = author('Thomas Jefferson', 1826, 'en');
const paine = author('Thomas Paine', 1809, 'en');
const swift = author('Jonathan Swift', 1745, 'en');
const burns = author('Robert Burns', 1796, 'en');
const blake = author('William Blake', 1827, 'en');
const darwin = author('Charles Darwin', 1882, 'en');
const mill = author('John Stuart Mill', 1873, 'en');
const eliot = author('George Eliot', 1880, 'en');
const cBronte = author('Charlotte Brontë', 1855, 'en');
const eBronte = author('Emily Brontë', 1848, 'en');
const carlyle = author('Thomas Carlyle', 1881, 'en');
const gray = author('Thomas Gray', 1771, 'en');
const young = author('Edward Young', 1765, 'en');
const jerome = author('Jerome K. Jerome', 1927, 'en');
const bierce = author('Ambrose Bierce', 1914, 'en');

const HAMLET = 'Hamlet';
const AYLI = 'As You Like It';
const TWELFTH = 'Twelfth Night';
const MND = 'A Midsummer Night’s Dream';
const RJ = 'Romeo and Juliet';
const JC = 'Julius Caesar';
const MERCHANT = 'The Merchant of Venice';
const MACBETH = 'Macbeth';
const HENRY_V = 'Henry V';
const ALLS_WELL = 'All’s Well That Ends Well';
const LEAR = 'King Lear';
const OTHELLO = 'Othello';
const SONNETS = 'Sonnets';
const PP = 'Pride and Prejudice';
const EMMA = 'Emma';
const PERSUASION = 'Persuasion';
const TALE = 'A Tale of Two Cities';
const COPPERFIELD = 'David Copperfield';
const CAROL = 'A Christmas Carol';
const MUTUAL = 'Our Mutual Friend';
const PUDDNHEAD = 'Pudd’nhead Wilson';
const EQUATOR = 'Following the Equator';
const POOR_RICHARD = 'Poor Richard’s Almanack';
const SELF_RELIANCE = 'Self-Reliance';
const WALDEN = 'Walden';
const WINDERMERE = 'Lady Windermere’s Fan';
const DORIAN = 'The Picture of Dorian Gray';
const EARNEST = 'The Importance of Being Earnest';
const SOUL_OF_MAN = 'The Soul of Man under Socialism';
const BOSWELL = 'Boswell, The Life of Samuel Johnson';
const CRITICISM = 'An Essay on Criticism';
const ESSAY_ON_MAN = 'An Essay on Man';
const STUDIES = 'Essays: Of Studies';
const ALICE = 'Alice’s Adventures in Wonderland';
const LOOKING_GLASS = 'Through the Looking-Glass';
const IN_MEMORIAM = 'In Memoriam A. H. H.';
const PSALM = 'A Psalm of Life';
const DEVILS = 'The Devil’s Dictionary';
const MAN_SUPERMAN = 'Man and Superman';

export const ENGLISH_QUOTES = [
  // Shakespeare (years: first printing)
  shakespeare('To be, or not to be: that is the question.', HAMLET, 1603, ['life']),
  shakespeare('This above all: to thine own self be true.', HAMLET, 1603, ['wisdom']),
  shakespeare('Neither a borrower nor a lender be.', HAMLET, 1603, ['wisdom']),
  shakespeare('Give every man thy ear, but few thy voice.', HAMLET, 1603, ['wisdom']),
  shakespeare('Brevity is the soul of wit.', HAMLET, 1603, ['humor']),
  shakespeare('There is nothing either good or bad, but thinking makes it so.', HAMLET, 1603, ['wisdom']),
  shakespeare(
    'There are more things in heaven and earth, Horatio, than are dreamt of in your philosophy.',
    HAMLET,
    1603,
    ['learning', 'wisdom'],
  ),
  shakespeare('The lady doth protest too much, methinks.', HAMLET, 1603, ['humor']),
  shakespeare('Though this be madness, yet there is method in’t.', HAMLET, 1603, ['humor']),
  shakespeare('All the world’s a stage, and all the men and women merely players.', AYLI, 1623, ['life']),
  shakespeare('The fool doth think he is wise, but the wise man knows himself to be a fool.', AYLI, 1623, [
    'wisdom',
    'humor',
  ]),
  shakespeare('Sweet are the uses of adversity.', AYLI, 1623, ['life', 'courage']),
  shakespeare(
    'Some are born great, some achieve greatness, and some have greatness thrust upon ’em.',
    TWELFTH,
    1623,
    ['motivation'],
  ),
  shakespeare('If music be the food of love, play on.', TWELFTH, 1623, ['love']),
  shakespeare('Journeys end in lovers meeting.', TWELFTH, 1623, ['love']),
  shakespeare('Better a witty fool than a foolish wit.', TWELFTH, 1623, ['humor']),
  shakespeare('The course of true love never did run smooth.', MND, 1600, ['love']),
  shakespeare('Lord, what fools these mortals be!', MND, 1600, ['humor']),
  shakespeare('Love looks not with the eyes, but with the mind.', MND, 1600, ['love']),
  shakespeare(
    'What’s in a name? That which we call a rose by any other name would smell as sweet.',
    RJ,
    1597,
    ['love'],
  ),
  shakespeare('Parting is such sweet sorrow.', RJ, 1597, ['love']),
  shakespeare('Wisely and slow; they stumble that run fast.', RJ, 1597, ['wisdom']),
  shakespeare(
    'Cowards die many times before their deaths; the valiant never taste of death but once.',
    JC,
    1623,
    ['courage'],
  ),
  shakespeare('The fault, dear Brutus, is not in our stars, but in ourselves.', JC, 1623, [
    'wisdom',
    'motivation',
  ]),
  shakespeare(
    'There is a tide in the affairs of men, which, taken at the flood, leads on to fortune.',
    JC,
    1623,
    ['motivation', 'time'],
  ),
  shakespeare('All that glisters is not gold.', MERCHANT, 1600, ['wisdom']),
  shakespeare('The quality of mercy is not strained.', MERCHANT, 1600, ['wisdom']),
  shakespeare(
    'How far that little candle throws his beams! So shines a good deed in a naughty world.',
    MERCHANT,
    1600,
    ['wisdom'],
  ),
  shakespeare(
    'Life’s but a walking shadow, a poor player that struts and frets his hour upon the stage and then is heard no more.',
    MACBETH,
    1623,
    ['life', 'time'],
  ),
  shakespeare('What’s done cannot be undone.', MACBETH, 1623, ['time']),
  shakespeare(
    'We are such stuff as dreams are made on, and our little life is rounded with a sleep.',
    'The Tempest',
    1623,
    ['life'],
  ),
  shakespeare('Once more unto the breach, dear friends, once more.', HENRY_V, 1600, ['courage']),
  shakespeare('We few, we happy few, we band of brothers.', HENRY_V, 1600, ['friendship', 'courage']),
  shakespeare('Uneasy lies the head that wears a crown.', 'Henry IV, Part 2', 1600, ['wisdom', 'work']),
  shakespeare('The better part of valour is discretion.', 'Henry IV, Part 1', 1598, ['humor', 'courage']),
  shakespeare('Love all, trust a few, do wrong to none.', ALLS_WELL, 1623, ['wisdom', 'friendship']),
  shakespeare('The web of our life is of a mingled yarn, good and ill together.', ALLS_WELL, 1623, ['life']),
  shakespeare('How sharper than a serpent’s tooth it is to have a thankless child!', LEAR, 1608, ['life']),
  shakespeare('Nothing will come of nothing.', LEAR, 1608, ['wisdom']),
  shakespeare(
    'O, beware, my lord, of jealousy; it is the green-eyed monster which doth mock the meat it feeds on.',
    OTHELLO,
    1622,
    ['love'],
  ),
  shakespeare('The robbed that smiles steals something from the thief.', OTHELLO, 1622, ['wisdom']),
  shakespeare(
    'Our doubts are traitors, and make us lose the good we oft might win by fearing to attempt.',
    'Measure for Measure',
    1623,
    ['courage', 'motivation'],
  ),
  shakespeare('I wasted time, and now doth time waste me.', 'Richard II', 1597, ['time']),
  shakespeare('A horse! a horse! my kingdom for a horse!', 'Richard III', 1597, ['humor']),
  shakespeare(
    'Shall I compare thee to a summer’s day? Thou art more lovely and more temperate.',
    SONNETS,
    1609,
    ['love', 'nature'],
  ),
  shakespeare(
    'Let me not to the marriage of true minds admit impediments. Love is not love which alters when it alteration finds.',
    SONNETS,
    1609,
    ['love'],
  ),

  // Jane Austen
  austen(
    'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.',
    PP,
    1813,
    ['humor', 'love'],
  ),
  austen('I declare after all there is no enjoyment like reading!', PP, 1813, ['learning', 'humor']),
  austen(
    'For what do we live, but to make sport for our neighbours, and laugh at them in our turn?',
    PP,
    1813,
    ['humor', 'life'],
  ),
  austen('Vanity and pride are different things, though the words are often used synonymously.', PP, 1813, [
    'wisdom',
  ]),
  austen('Angry people are not always wise.', PP, 1813, ['wisdom']),
  austen('Happiness in marriage is entirely a matter of chance.', PP, 1813, ['love', 'humor']),
  austen(
    'The person, be it gentleman or lady, who has not pleasure in a good novel, must be intolerably stupid.',
    'Northanger Abbey',
    1817,
    ['learning', 'humor'],
  ),
  austen('One half of the world cannot understand the pleasures of the other.', EMMA, 1815, ['wisdom']),
  austen('There is no charm equal to tenderness of heart.', EMMA, 1815, ['love']),
  austen(
    'Silly things do cease to be silly if they are done by sensible people in an impudent way.',
    EMMA,
    1815,
    ['humor'],
  ),
  austen('You pierce my soul. I am half agony, half hope.', PERSUASION, 1817, ['love']),
  austen(
    'My idea of good company, Mr. Elliot, is the company of clever, well-informed people, who have a great deal of conversation; that is what I call good company.',
    PERSUASION,
    1817,
    ['friendship'],
  ),
  austen(
    'Know your own happiness. You want nothing but patience—or give it a more fascinating name, call it hope.',
    'Sense and Sensibility',
    1811,
    ['happiness'],
  ),

  // Charles Dickens
  dickens('It was the best of times, it was the worst of times.', TALE, 1859, ['life', 'time']),
  dickens('It is a far, far better thing that I do, than I have ever done.', TALE, 1859, ['courage']),
  dickens(
    'Annual income twenty pounds, annual expenditure nineteen nineteen and six, result happiness. Annual income twenty pounds, annual expenditure twenty pounds ought and six, result misery.',
    COPPERFIELD,
    1850,
    ['humor', 'work'],
  ),
  dickens(
    'Whether I shall turn out to be the hero of my own life, or whether that station will be held by anybody else, these pages must show.',
    COPPERFIELD,
    1850,
    ['life'],
  ),
  dickens('God bless Us, Every One!', CAROL, 1843, ['happiness']),
  dickens('I will honour Christmas in my heart, and try to keep it all the year.', CAROL, 1843, [
    'happiness',
  ]),
  dickens(
    'Reflect upon your present blessings, of which every man has many; not on your past misfortunes, of which all men have some.',
    'Sketches by Boz',
    1836,
    ['happiness', 'wisdom'],
  ),
  dickens('Please, sir, I want some more.', 'Oliver Twist', 1838, ['humor']),
  dickens('The law is a ass—a idiot.', 'Oliver Twist', 1838, ['humor']),
  dickens('No one is useless in this world who lightens the burden of it for any one else.', MUTUAL, 1865, [
    'friendship',
  ]),
  dickens(
    'Heaven knows we need never be ashamed of our tears, for they are rain upon the blinding dust of earth, overlying our hard hearts.',
    'Great Expectations',
    1861,
    ['life'],
  ),

  // Mark Twain
  twain('The report of my death was an exaggeration.', 'New York Journal', 1897, ['humor']),
  twain(
    'Always do right. This will gratify some people and astonish the rest.',
    'Note to a young people’s society',
    1901,
    ['wisdom', 'humor'],
  ),
  twain('Courage is resistance to fear, mastery of fear—not absence of fear.', PUDDNHEAD, 1894, ['courage']),
  twain('When angry, count four; when very angry, swear.', PUDDNHEAD, 1894, ['humor']),
  twain('Few things are harder to put up with than the annoyance of a good example.', PUDDNHEAD, 1894, [
    'humor',
  ]),
  twain(
    'Let us endeavor so to live that when we come to die even the undertaker will be sorry.',
    PUDDNHEAD,
    1894,
    ['life', 'humor'],
  ),
  twain(
    'Training is everything. The peach was once a bitter almond; cauliflower is nothing but cabbage with a college education.',
    PUDDNHEAD,
    1894,
    ['learning', 'humor'],
  ),
  twain(
    'Habit is habit, and not to be flung out of the window by any man, but coaxed down-stairs a step at a time.',
    PUDDNHEAD,
    1894,
    ['wisdom', 'motivation'],
  ),
  twain('Put all your eggs in the one basket and—WATCH THAT BASKET.', PUDDNHEAD, 1894, ['humor', 'work']),
  twain(
    'Adam was but human—this explains it all. He did not want the apple for the apple’s sake, he wanted it only because it was forbidden.',
    PUDDNHEAD,
    1894,
    ['humor'],
  ),
  twain('Man is the only animal that blushes. Or needs to.', EQUATOR, 1897, ['humor']),
  twain(
    'Truth is stranger than fiction, but it is because Fiction is obliged to stick to possibilities; Truth isn’t.',
    EQUATOR,
    1897,
    ['humor', 'wisdom'],
  ),
  twain('“Classic.” A book which people praise and don’t read.', EQUATOR, 1897, ['humor', 'learning']),

  // Benjamin Franklin
  franklin('Early to bed and early to rise, makes a man healthy, wealthy and wise.', POOR_RICHARD, 1735, [
    'work',
    'wisdom',
  ]),
  franklin('Well done is better than well said.', POOR_RICHARD, 1737, ['work', 'motivation']),
  franklin('Lost time is never found again.', POOR_RICHARD, 1748, ['time']),
  franklin('Fish and visitors stink in three days.', POOR_RICHARD, 1736, ['humor', 'friendship']),
  franklin('God helps them that help themselves.', POOR_RICHARD, 1736, ['motivation']),
  franklin('Diligence is the mother of good luck.', POOR_RICHARD, 1736, ['work']),
  franklin('Little strokes fell great oaks.', POOR_RICHARD, 1750, ['motivation', 'work']),
  franklin('Haste makes waste.', POOR_RICHARD, 1753, ['work', 'wisdom']),
  franklin('Three may keep a secret, if two of them are dead.', POOR_RICHARD, 1735, ['humor']),
  franklin('Love your enemies, for they tell you your faults.', POOR_RICHARD, 1756, ['wisdom']),
  franklin('Eat to live, and not live to eat.', POOR_RICHARD, 1733, ['wisdom']),
  franklin('He that lies down with dogs, shall rise up with fleas.', POOR_RICHARD, 1733, ['wisdom', 'humor']),
  franklin('Hunger never saw bad bread.', POOR_RICHARD, 1733, ['humor']),
  franklin(
    'Dost thou love life? Then do not squander time; for that’s the stuff life is made of.',
    'The Way to Wealth',
    1758,
    ['time', 'life'],
  ),
  franklin(
    'In this world nothing can be said to be certain, except death and taxes.',
    'Letter to Jean-Baptiste Le Roy',
    1789,
    ['humor', 'life'],
  ),
  franklin(
    'They who can give up essential Liberty to obtain a little temporary Safety, deserve neither Liberty nor Safety.',
    'Pennsylvania Assembly: Reply to the Governor',
    1755,
    ['freedom'],
  ),
  franklin('There never was a good war, or a bad peace.', 'Letter to Josiah Quincy', 1783, ['wisdom']),

  // Ralph Waldo Emerson
  emerson('A foolish consistency is the hobgoblin of little minds.', SELF_RELIANCE, 1841, ['wisdom']),
  emerson('To be great is to be misunderstood.', SELF_RELIANCE, 1841, ['courage']),
  emerson('Trust thyself: every heart vibrates to that iron string.', SELF_RELIANCE, 1841, [
    'motivation',
    'courage',
  ]),
  emerson('Whoso would be a man must be a nonconformist.', SELF_RELIANCE, 1841, ['freedom', 'courage']),
  emerson('Nothing can bring you peace but yourself.', SELF_RELIANCE, 1841, ['happiness']),
  emerson('Nothing great was ever achieved without enthusiasm.', 'Circles', 1841, ['motivation']),
  emerson('The only way to have a friend is to be one.', 'Friendship', 1841, ['friendship']),
  emerson('Hitch your wagon to a star.', 'Civilization', 1870, ['motivation']),
  emerson('The reward of a thing well done, is to have done it.', 'New England Reformers', 1844, [
    'work',
    'motivation',
  ]),
  emerson('Earth laughs in flowers.', 'Hamatreya', 1847, ['nature', 'happiness']),

  // Henry David Thoreau
  thoreau('The mass of men lead lives of quiet desperation.', WALDEN, 1854, ['life']),
  thoreau(
    'I went to the woods because I wished to live deliberately, to front only the essential facts of life.',
    WALDEN,
    1854,
    ['nature', 'life'],
  ),
  thoreau('Our life is frittered away by detail. Simplify, simplify.', WALDEN, 1854, ['life', 'wisdom']),
  thoreau(
    'If a man does not keep pace with his companions, perhaps it is because he hears a different drummer. Let him step to the music which he hears, however measured or far away.',
    WALDEN,
    1854,
    ['freedom', 'courage'],
  ),
  thoreau(
    'If you have built castles in the air, your work need not be lost; that is where they should be. Now put the foundations under them.',
    WALDEN,
    1854,
    ['motivation', 'work'],
  ),
  thoreau(
    'If one advances confidently in the direction of his dreams, and endeavors to live the life which he has imagined, he will meet with a success unexpected in common hours.',
    WALDEN,
    1854,
    ['motivation'],
  ),
  thoreau('Beware of all enterprises that require new clothes.', WALDEN, 1854, ['humor', 'work']),
  thoreau('Time is but the stream I go a-fishing in.', WALDEN, 1854, ['time', 'nature']),
  thoreau(
    'A man is rich in proportion to the number of things which he can afford to let alone.',
    WALDEN,
    1854,
    ['happiness', 'wisdom'],
  ),
  thoreau('Rather than love, than money, than fame, give me truth.', WALDEN, 1854, ['wisdom']),
  thoreau('In Wildness is the preservation of the World.', 'Walking', 1862, ['nature']),

  // Oscar Wilde
  wilde('I can resist everything except temptation.', WINDERMERE, 1893, ['humor']),
  wilde('We are all in the gutter, but some of us are looking at the stars.', WINDERMERE, 1893, [
    'motivation',
    'life',
  ]),
  wilde('A cynic is a man who knows the price of everything and the value of nothing.', WINDERMERE, 1893, [
    'wisdom',
    'humor',
  ]),
  wilde('Experience is the name every one gives to their mistakes.', WINDERMERE, 1893, ['life', 'humor']),
  wilde(
    'There is only one thing in the world worse than being talked about, and that is not being talked about.',
    DORIAN,
    1890,
    ['humor'],
  ),
  wilde('The only way to get rid of a temptation is to yield to it.', DORIAN, 1890, ['humor']),
  wilde('To love oneself is the beginning of a life-long romance.', 'An Ideal Husband', 1899, [
    'love',
    'humor',
  ]),
  wilde(
    'The only thing to do with good advice is to pass it on. It is never of any use to oneself.',
    'An Ideal Husband',
    1899,
    ['humor', 'wisdom'],
  ),
  wilde('The truth is rarely pure and never simple.', EARNEST, 1899, ['wisdom']),
  wilde(
    'To lose one parent, Mr. Worthing, may be regarded as a misfortune; to lose both looks like carelessness.',
    EARNEST,
    1899,
    ['humor'],
  ),
  wilde('To live is the rarest thing in the world. Most people exist, that is all.', SOUL_OF_MAN, 1891, [
    'life',
    'motivation',
  ]),
  wilde(
    'Anybody can sympathise with the sufferings of a friend, but it requires a very fine nature to sympathise with a friend’s success.',
    SOUL_OF_MAN,
    1891,
    ['friendship'],
  ),

  // Abraham Lincoln
  lincoln('A house divided against itself cannot stand.', 'House Divided speech', 1858, [
    'wisdom',
    'freedom',
  ]),
  lincoln(
    'Government of the people, by the people, for the people, shall not perish from the earth.',
    'Gettysburg Address',
    1863,
    ['freedom'],
  ),
  lincoln('With malice toward none, with charity for all.', 'Second Inaugural Address', 1865, [
    'wisdom',
    'friendship',
  ]),
  lincoln('We are not enemies, but friends. We must not be enemies.', 'First Inaugural Address', 1861, [
    'friendship',
  ]),
  lincoln(
    'The dogmas of the quiet past are inadequate to the stormy present.',
    'Annual Message to Congress',
    1862,
    ['wisdom', 'courage'],
  ),
  lincoln(
    'As I would not be a slave, so I would not be a master. This expresses my idea of democracy.',
    'Fragment on democracy',
    1858,
    ['freedom'],
  ),

  // Samuel Johnson
  johnson(
    'When a man is tired of London, he is tired of life; for there is in London all that life can afford.',
    BOSWELL,
    1791,
    ['life'],
  ),
  johnson('Patriotism is the last refuge of a scoundrel.', BOSWELL, 1791, ['wisdom']),
  johnson('No man but a blockhead ever wrote, except for money.', BOSWELL, 1791, ['humor', 'work']),
  johnson(
    'Depend upon it, Sir, when a man knows he is to be hanged in a fortnight, it concentrates his mind wonderfully.',
    BOSWELL,
    1791,
    ['humor'],
  ),
  johnson(
    'Knowledge is of two kinds. We know a subject ourselves, or we know where we can find information upon it.',
    BOSWELL,
    1791,
    ['learning'],
  ),
  johnson('Marriage has many pains, but celibacy has no pleasures.', 'Rasselas', 1759, ['love', 'humor']),

  // Alexander Pope
  pope('To err is human, to forgive divine.', CRITICISM, 1711, ['wisdom']),
  pope('A little learning is a dang’rous thing.', CRITICISM, 1711, ['learning']),
  pope('Fools rush in where angels fear to tread.', CRITICISM, 1711, ['wisdom', 'humor']),
  pope('Hope springs eternal in the human breast.', ESSAY_ON_MAN, 1733, ['motivation']),
  pope('The proper study of mankind is man.', ESSAY_ON_MAN, 1733, ['learning']),

  // Francis Bacon
  bacon(
    'Some books are to be tasted, others to be swallowed, and some few to be chewed and digested.',
    STUDIES,
    1625,
    ['learning'],
  ),
  bacon('Reading maketh a full man; conference a ready man; and writing an exact man.', STUDIES, 1625, [
    'learning',
  ]),
  bacon(
    'If a man will begin with certainties, he shall end in doubts; but if he will be content to begin with doubts, he shall end in certainties.',
    'The Advancement of Learning',
    1605,
    ['learning', 'wisdom'],
  ),
  bacon(
    'A wise man will make more opportunities than he finds.',
    'Essays: Of Ceremonies and Respects',
    1625,
    ['motivation'],
  ),

  // Poets
  donne('No man is an island, entire of itself.', 'Devotions upon Emergent Occasions', 1624, ['friendship']),
  milton(
    'The mind is its own place, and in itself can make a Heaven of Hell, a Hell of Heaven.',
    'Paradise Lost',
    1667,
    ['wisdom'],
  ),
  milton('They also serve who only stand and wait.', 'When I consider how my light is spent', 1673, [
    'work',
    'life',
  ]),
  keats('A thing of beauty is a joy for ever.', 'Endymion', 1818, ['happiness', 'nature']),
  keats(
    '“Beauty is truth, truth beauty,”—that is all ye know on earth, and all ye need to know.',
    'Ode on a Grecian Urn',
    1820,
    ['wisdom'],
  ),
  wordsworth('The Child is father of the Man.', 'My Heart Leaps Up', 1807, ['life']),
  wordsworth(
    'I wandered lonely as a cloud that floats on high o’er vales and hills.',
    'I Wandered Lonely as a Cloud',
    1807,
    ['nature'],
  ),
  wordsworth(
    'The world is too much with us; late and soon, getting and spending, we lay waste our powers.',
    'The World Is Too Much with Us',
    1807,
    ['nature', 'work'],
  ),
  wordsworth('Come forth into the light of things, let Nature be your teacher.', 'The Tables Turned', 1798, [
    'nature',
    'learning',
  ]),
  shelley('If Winter comes, can Spring be far behind?', 'Ode to the West Wind', 1820, [
    'motivation',
    'nature',
  ]),
  shelley('Poets are the unacknowledged legislators of the world.', 'A Defence of Poetry', 1840, ['wisdom']),
  byron('’Tis strange—but true; for truth is always strange; stranger than fiction.', 'Don Juan', 1823, [
    'wisdom',
  ]),
  byron('There is a pleasure in the pathless woods.', 'Childe Harold’s Pilgrimage', 1818, ['nature']),
  tennyson('’Tis better to have loved and lost than never to have loved at all.', IN_MEMORIAM, 1850, [
    'love',
  ]),
  tennyson('Nature, red in tooth and claw.', IN_MEMORIAM, 1850, ['nature']),
  tennyson('To strive, to seek, to find, and not to yield.', 'Ulysses', 1842, ['motivation', 'courage']),
  tennyson('Knowledge comes, but wisdom lingers.', 'Locksley Hall', 1842, ['learning', 'wisdom']),
  browning(
    'Ah, but a man’s reach should exceed his grasp, or what’s a heaven for?',
    'Andrea del Sarto',
    1855,
    ['motivation'],
  ),
  browning('Grow old along with me! The best is yet to be.', 'Rabbi Ben Ezra', 1864, ['love', 'life']),
  browning('God’s in his heaven—all’s right with the world!', 'Pippa Passes', 1841, ['happiness']),
  ebBrowning('How do I love thee? Let me count the ways.', 'Sonnets from the Portuguese', 1850, ['love']),
  whitman(
    'Do I contradict myself? Very well then I contradict myself, (I am large, I contain multitudes.)',
    'Song of Myself',
    1855,
    ['life', 'humor'],
  ),
  whitman(
    'Re-examine all you have been told at school or church or in any book, dismiss whatever insults your own soul.',
    'Leaves of Grass, Preface',
    1855,
    ['learning', 'freedom'],
  ),
  dickinson('“Hope” is the thing with feathers— that perches in the soul.', 'Poems, Second Series', 1891, [
    'motivation',
  ]),
  dickinson('Because I could not stop for Death— He kindly stopped for me.', 'Poems', 1890, ['life']),
  dickinson('I’m Nobody! Who are you? Are you—Nobody—too?', 'Poems, Second Series', 1891, ['humor']),
  longfellow(
    'Lives of great men all remind us we can make our lives sublime, and, departing, leave behind us footprints on the sands of time.',
    PSALM,
    1838,
    ['motivation', 'time'],
  ),
  longfellow(
    'Let us, then, be up and doing, with a heart for any fate; still achieving, still pursuing, learn to labor and to wait.',
    PSALM,
    1838,
    ['work', 'motivation'],
  ),
  longfellow('Into each life some rain must fall.', 'The Rainy Day', 1842, ['life']),
  poe('All that we see or seem is but a dream within a dream.', 'A Dream Within a Dream', 1849, ['life']),
  burns('The best laid schemes o’ mice an’ men gang aft agley.', 'To a Mouse', 1786, ['life', 'humor']),
  burns('O my Luve’s like a red, red rose, that’s newly sprung in June.', 'A Red, Red Rose', 1794, ['love']),
  blake(
    'To see a World in a Grain of Sand and a Heaven in a Wild Flower, hold Infinity in the palm of your hand and Eternity in an hour.',
    'Auguries of Innocence',
    1863,
    ['nature', 'time'],
  ),
  blake('The road of excess leads to the palace of wisdom.', 'The Marriage of Heaven and Hell', 1790, [
    'wisdom',
  ]),
  blake('Energy is Eternal Delight.', 'The Marriage of Heaven and Hell', 1790, ['motivation', 'happiness']),
  gray(
    'Where ignorance is bliss, ’tis folly to be wise.',
    'Ode on a Distant Prospect of Eton College',
    1747,
    ['humor', 'learning'],
  ),
  young('Procrastination is the thief of time.', 'Night-Thoughts', 1742, ['time', 'work']),
  kipling(
    'If you can keep your head when all about you are losing theirs and blaming it on you.',
    'If—',
    1910,
    ['courage'],
  ),
  kipling(
    'If you can meet with Triumph and Disaster and treat those two impostors just the same.',
    'If—',
    1910,
    ['wisdom', 'courage'],
  ),

  // Novelists, essayists, statesmen
  carroll(
    'Why, sometimes I’ve believed as many as six impossible things before breakfast.',
    LOOKING_GLASS,
    1871,
    ['humor', 'motivation'],
  ),
  carroll('Curiouser and curiouser!', ALICE, 1865, ['humor']),
  carroll(
    'Now, here, you see, it takes all the running you can do, to keep in the same place.',
    LOOKING_GLASS,
    1871,
    ['work', 'humor'],
  ),
  carroll(
    'When I use a word, it means just what I choose it to mean—neither more nor less.',
    LOOKING_GLASS,
    1871,
    ['humor'],
  ),
  carroll('Begin at the beginning, and go on till you come to the end: then stop.', ALICE, 1865, [
    'work',
    'humor',
  ]),
  carroll(
    '“Would you tell me, please, which way I ought to go from here?” “That depends a good deal on where you want to get to,” said the Cat.',
    ALICE,
    1865,
    ['wisdom', 'humor'],
  ),
  stevenson(
    'To travel hopefully is a better thing than to arrive, and the true success is to labour.',
    'Virginibus Puerisque: El Dorado',
    1881,
    ['work', 'motivation'],
  ),
  stevenson(
    'There is no duty we so much underrate as the duty of being happy.',
    'Virginibus Puerisque: An Apology for Idlers',
    1881,
    ['happiness'],
  ),
  shaw(
    'The reasonable man adapts himself to the world: the unreasonable one persists in trying to adapt the world to himself. Therefore all progress depends on the unreasonable man.',
    MAN_SUPERMAN,
    1903,
    ['motivation'],
  ),
  shaw('He who can, does. He who cannot, teaches.', MAN_SUPERMAN, 1903, ['humor', 'learning']),
  shaw(
    'There are two tragedies in life. One is to lose your heart’s desire. The other is to gain it.',
    MAN_SUPERMAN,
    1903,
    ['life'],
  ),
  chesterton('If a thing is worth doing, it is worth doing badly.', 'What’s Wrong with the World', 1910, [
    'humor',
    'work',
  ]),
  chesterton('Angels can fly because they take themselves lightly.', 'Orthodoxy', 1908, [
    'humor',
    'happiness',
  ]),
  jefferson(
    'We hold these truths to be self-evident, that all men are created equal.',
    'Declaration of Independence',
    1776,
    ['freedom'],
  ),
  jefferson('I cannot live without books.', 'Letter to John Adams', 1815, ['learning']),
  paine('These are the times that try men’s souls.', 'The American Crisis', 1776, ['courage']),
  swift(
    'We have just Religion enough to make us hate, but not enough to make us love one another.',
    'Thoughts on Various Subjects',
    1711,
    ['wisdom', 'love'],
  ),
  swift(
    'When a true genius appears in the world, you may know him by this sign, that the dunces are all in confederacy against him.',
    'Thoughts on Various Subjects',
    1706,
    ['humor'],
  ),
  darwin('Ignorance more frequently begets confidence than does knowledge.', 'The Descent of Man', 1871, [
    'learning',
  ]),
  mill(
    'It is better to be a human being dissatisfied than a pig satisfied; better to be Socrates dissatisfied than a fool satisfied.',
    'Utilitarianism',
    1863,
    ['wisdom', 'happiness'],
  ),
  mill('Ask yourself whether you are happy, and you cease to be so.', 'Autobiography', 1873, ['happiness']),
  eliot('What do we live for, if it is not to make life less difficult to each other?', 'Middlemarch', 1872, [
    'friendship',
    'life',
  ]),
  cBronte(
    'I am no bird; and no net ensnares me: I am a free human being with an independent will.',
    'Jane Eyre',
    1847,
    ['freedom', 'courage'],
  ),
  cBronte('Reader, I married him.', 'Jane Eyre', 1847, ['love']),
  eBronte('Whatever our souls are made of, his and mine are the same.', 'Wuthering Heights', 1847, ['love']),
  carlyle(
    'Blessed is he who has found his work; let him ask no other blessedness.',
    'Past and Present',
    1843,
    ['work', 'happiness'],
  ),
  jerome('I like work: it fascinates me. I can sit and look at it for hours.', 'Three Men in a Boat', 1889, [
    'humor',
    'work',
  ]),
  bierce('Patience, n. A minor form of despair, disguised as a virtue.', DEVILS, 1911, ['humor']),
  bierce('Bore, n. A person who talks when you wish him to listen.', DEVILS, 1911, ['humor', 'friendship']),
  bierce('Egotist, n. A person of low taste, more interested in himself than in me.', DEVILS, 1911, [
    'humor',
  ]),
  bierce(
    'Happiness, n. An agreeable sensation arising from contemplating the misery of another.',
    DEVILS,
    1911,
    ['humor', 'happiness'],
  ),
];
