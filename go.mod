module quotacert

go 1.26
