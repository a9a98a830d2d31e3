import test from 'ava'
import { detectNumberConflict } from './detect-number-conflict.ts'

test('another year or amount about the same thing is a conflict', (t) => {
  t.true(detectNumberConflict('The museum opened in 2004.', 'The museum opened in 1998.'))
  t.true(detectNumberConflict('The bridge will cost 40 million dollars.', 'The bridge will cost 12 million dollars.'))
  t.true(detectNumberConflict('Turnout was 62 percent.', 'Official figures put turnout at 48 % on Sunday.'))
  t.true(detectNumberConflict('The club was founded in 1901.', 'Records show the club was founded in 1899 by local miners.'))
})

test('the same number written differently, or present among others, is no conflict', (t) => {
  t.false(detectNumberConflict('The bridge will cost 12 million dollars.', 'The bridge will cost $12,000,000.'))
  t.false(detectNumberConflict('She was born in 1950.', 'She was born on 12 May 1950 and died in 2010.'))
  t.false(detectNumberConflict('The museum opened in 2004.', 'Planned in 1998, the museum opened in 2004.'))
})

test('a number about something else, of another kind, or with no unit is no conflict', (t) => {
  t.false(detectNumberConflict('The film came out in 2004.', 'Its director, born in 1962, grew up in Ohio.'))
  t.false(detectNumberConflict('The museum opened in 2004.', 'The museum has 300 paintings.'))
  t.false(detectNumberConflict('Three of them won.', 'Five of them lost in 2004.'))
  t.false(detectNumberConflict('The Chiefs won Super Bowl LVIII.', 'The Chiefs beat the 49ers 25-22 in overtime.'))
  t.false(detectNumberConflict('', 'The museum opened in 1998.'))
})
