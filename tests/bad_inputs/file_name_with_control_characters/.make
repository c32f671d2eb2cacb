rename perined.csv -> perined\n2020\x1b[31m.csv
