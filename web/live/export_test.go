package live

// WeekEnd exports weekEnd to the tests.
var WeekEnd = weekEnd
