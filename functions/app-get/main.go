// Command app-get is the Lambda function of the portal route "app-get".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("app-get") }
