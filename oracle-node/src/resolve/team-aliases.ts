/**
 * Known names of teams, so that a question may say "Canucks" of a page that says "Vancouver Canucks" —
 * and so that nothing else matches: a name is one team's name or alias, never a part of another name
 * ("Michigan" is not "Michigan State", "Texas" is not "North Texas").
 *
 * The four North American major leagues as "City|Nickname|abbreviations|other names" (current names and the
 * names their box scores carried in recent seasons); a team (a league and a nickname) is known by its full
 * name, its nickname, its abbreviations, its other names and, when it is its league's only team there, its
 * city. College teams are known by the
 * school name a box score prints, plus the short forms below; their mascots are not listed (a question
 * should name the school as its source does).
 */

const leagues: Readonly<Record<string, string>> = {
  nfl:
    'Arizona|Cardinals|ARI,ARZ;Atlanta|Falcons|ATL;Baltimore|Ravens|BAL;Buffalo|Bills|BUF;Carolina|Panthers|CAR;Chicago|Bears|CHI;' +
    'Cincinnati|Bengals|CIN;Cleveland|Browns|CLE;Dallas|Cowboys|DAL;Denver|Broncos|DEN;Detroit|Lions|DET;Green Bay|Packers|GB,GNB;' +
    'Houston|Texans|HOU,HTX;Indianapolis|Colts|IND,CLT;Jacksonville|Jaguars|JAX,JAC;Kansas City|Chiefs|KC,KAN;Las Vegas|Raiders|LV,LVR;' +
    'Oakland|Raiders|OAK,RAI;Los Angeles|Chargers|LAC,SDG;San Diego|Chargers|SD;Los Angeles|Rams|LAR,RAM;St. Louis|Rams|STL;Miami|Dolphins|MIA;' +
    'Minnesota|Vikings|MIN;New England|Patriots|NE,NWE;New Orleans|Saints|NO,NOR;New York|Giants|NYG,NYGI;New York|Jets|NYJ;' +
    'Philadelphia|Eagles|PHI;Pittsburgh|Steelers|PIT;San Francisco|49ers|SF,SFO;Seattle|Seahawks|SEA;Tampa Bay|Buccaneers|TB,TAM;' +
    'Tennessee|Titans|TEN,OTI;Washington|Commanders|WAS,WSH;Washington|Redskins|WAS;Washington|Football Team|WFT',
  nba:
    'Atlanta|Hawks|ATL;Boston|Celtics|BOS;Brooklyn|Nets|BKN,BRK|New Jersey Nets,NJN;Charlotte|Hornets|CHA,CHO;Charlotte|Bobcats|CHA;' +
    'Chicago|Bulls|CHI;Cleveland|Cavaliers|CLE;Dallas|Mavericks|DAL;Denver|Nuggets|DEN;Detroit|Pistons|DET;Golden State|Warriors|GS,GSW;' +
    'Houston|Rockets|HOU;Indiana|Pacers|IND;Los Angeles|Clippers|LAC|LA Clippers;Los Angeles|Lakers|LAL;Memphis|Grizzlies|MEM;' +
    'Miami|Heat|MIA;Milwaukee|Bucks|MIL;Minnesota|Timberwolves|MIN;New Orleans|Pelicans|NO,NOP;New Orleans|Hornets|NOH;New York|Knicks|NY,NYK;' +
    'Oklahoma City|Thunder|OKC;Orlando|Magic|ORL;Philadelphia|76ers|PHI;Phoenix|Suns|PHX,PHO;Portland|Trail Blazers|POR;' +
    'Sacramento|Kings|SAC;San Antonio|Spurs|SA,SAS;Toronto|Raptors|TOR;Utah|Jazz|UTA,UTAH;Washington|Wizards|WAS,WSH;Seattle|SuperSonics|SEA',
  nhl:
    'Anaheim|Ducks|ANA;Arizona|Coyotes|ARI;Phoenix|Coyotes|PHX;Boston|Bruins|BOS;Buffalo|Sabres|BUF;Calgary|Flames|CGY;Carolina|Hurricanes|CAR;' +
    'Chicago|Blackhawks|CHI;Colorado|Avalanche|COL;Columbus|Blue Jackets|CBJ;Dallas|Stars|DAL;Detroit|Red Wings|DET;Edmonton|Oilers|EDM;' +
    'Florida|Panthers|FLA;Los Angeles|Kings|LA,LAK;Minnesota|Wild|MIN;Montreal|Canadiens|MTL;Nashville|Predators|NSH;New Jersey|Devils|NJ,NJD;' +
    'New York|Islanders|NYI;New York|Rangers|NYR;Ottawa|Senators|OTT;Philadelphia|Flyers|PHI;Pittsburgh|Penguins|PIT;San Jose|Sharks|SJ,SJS;' +
    'Seattle|Kraken|SEA;St. Louis|Blues|STL;Tampa Bay|Lightning|TB,TBL;Toronto|Maple Leafs|TOR;Utah|Hockey Club|UTA;Utah|Mammoth|UTA;' +
    'Vancouver|Canucks|VAN;Vegas|Golden Knights|VGK,VEG;Washington|Capitals|WSH,WAS;Winnipeg|Jets|WPG;Atlanta|Thrashers|ATL',
  mlb:
    'Arizona|Diamondbacks|ARI,AZ;Atlanta|Braves|ATL;Baltimore|Orioles|BAL;Boston|Red Sox|BOS;Chicago|Cubs|CHC;Chicago|White Sox|CWS,CHW;' +
    'Cincinnati|Reds|CIN;Cleveland|Guardians|CLE;Cleveland|Indians|CLE;Colorado|Rockies|COL;Detroit|Tigers|DET;Houston|Astros|HOU;' +
    'Kansas City|Royals|KC,KCR;Los Angeles|Angels|LAA,ANA|Los Angeles Angels of Anaheim,Anaheim Angels;Los Angeles|Dodgers|LAD;Miami|Marlins|MIA;Florida|Marlins|FLA;' +
    'Milwaukee|Brewers|MIL;Minnesota|Twins|MIN;New York|Mets|NYM;New York|Yankees|NYY;Oakland|Athletics|OAK|Athletics;Philadelphia|Phillies|PHI;' +
    'Pittsburgh|Pirates|PIT;San Diego|Padres|SD,SDP;San Francisco|Giants|SF,SFG;Seattle|Mariners|SEA;St. Louis|Cardinals|STL;' +
    'Tampa Bay|Rays|TB,TBR;Tampa Bay|Devil Rays|TBD;Texas|Rangers|TEX;Toronto|Blue Jays|TOR;Washington|Nationals|WSH,WSN',
}

/** Short forms of college names as box scores and fans write them: "alias=school". */
const collegeAliases =
  'uconn=connecticut;ole miss=mississippi;lsu=louisiana state;usc=southern california;ucf=central florida;byu=brigham young;' +
  'smu=southern methodist;tcu=texas christian;unlv=nevada las vegas;utep=texas el paso;utsa=texas san antonio;' +
  'vcu=virginia commonwealth;pitt=pittsburgh;umass=massachusetts;nc state=north carolina state;unc=north carolina;' +
  'penn=pennsylvania;uab=alabama birmingham;fiu=florida international;fau=florida atlantic;ucla=ucla;' +
  'st johns=st johns ny;uc irvine=california irvine;uc davis=california davis;ut arlington=texas arlington;' +
  'umbc=maryland baltimore county;liu=long island university;siue=southern illinois edwardsville'

/** Normalised alias -> canonical team ids: every alias (for the name asked) ... */
const index = new Map<string, Set<string>>()
/** ... and every alias but a bare city (for the name shown: a page's "Arizona" is a school, not the Cardinals). */
const shownIndex = new Map<string, Set<string>>()

function add(alias: string, id: string, cityOnly = false): void {
  const key = normalizeTeamName(alias)
  if (key === '') return
  for (const map of cityOnly ? [index] : [index, shownIndex]) {
    let ids = map.get(key)
    if (!ids) map.set(key, (ids = new Set()))
    ids.add(id)
  }
}

/** Lower case, accents and punctuation removed, poll ranks and records dropped, club affixes ("FC") dropped. */
export function normalizeTeamName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/^\s*(?:\(\d{1,2}\)|#\d{1,2}|no\.\s?\d{1,2})\s*/, '')
    .replace(/\s*\((?:\d{1,2}|\d{1,3}-\d{1,3}(?:-\d{1,3})?)\)\s*$/, '')
    .replace(/&/g, ' and ')
    .replace(/['\u2019.]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/^(?:fc|cf|afc|sc|ac|cd|sv|fk|the) /, '')
    .replace(/ (?:fc|cf|afc|sc)$/, '')
}

for (const [league, list] of Object.entries(leagues)) {
  const entries = list.split(';').map((e) => e.split('|') as [string, string, string, string?])
  const cityCount = new Map<string, number>()
  for (const [city] of entries) cityCount.set(normalizeTeamName(city), (cityCount.get(normalizeTeamName(city)) ?? 0) + 1)
  for (const [city, nickname, abbreviations, others] of entries) {
    const id = `${league}:${normalizeTeamName(nickname)}`
    add(`${city} ${nickname}`, id)
    add(nickname, id)
    for (const a of [...abbreviations.split(','), ...(others ? others.split(',') : [])]) add(a, id)
    if (cityCount.get(normalizeTeamName(city)) === 1) add(city, id, true)
  }
}
for (const pair of collegeAliases.split(';')) {
  const [alias, school] = pair.split('=') as [string, string]
  add(alias, `college:${normalizeTeamName(school)}`)
  add(school, `college:${normalizeTeamName(school)}`)
}

/**
 * Whether a name in a question and a name on a page are the same team: equal once normalised, or both
 * names of one known team. Never a substring or a subset of words.
 */
export function sameTeam(asked: string, shown: string): boolean {
  const a = normalizeTeamName(asked)
  const b = normalizeTeamName(shown)
  if (a === '' || b === '') return false
  if (a === b) return true
  const ia = index.get(a)
  const ib = shownIndex.get(b)
  if (!ia || !ib) return false
  for (const id of ia) if (ib.has(id)) return true
  return false
}
