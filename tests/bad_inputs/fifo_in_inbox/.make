fifo vektis_2020.csv
