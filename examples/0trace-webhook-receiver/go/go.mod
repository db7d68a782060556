module example.com/0trace-webhook-receiver

go 1.19
