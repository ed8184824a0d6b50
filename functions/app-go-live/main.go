// Command app-go-live is the Lambda function of the portal route "app-go-live".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("app-go-live") }
